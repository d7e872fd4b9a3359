/**
 * Small parsers for rendered HAProxy and keepalived configs, so tests compare what a config MEANS
 * (sections, keywords, arguments) rather than its exact text.
 */

/** One HAProxy section: `frontend k3s-api` with its keyword lines split into words. */
export interface HaproxySection {
  kind: string;
  name: string;
  lines: string[][];
}

const HAPROXY_SECTIONS = new Set(['global', 'defaults', 'frontend', 'backend', 'listen', 'resolvers', 'peers', 'userlist']);

function words(line: string): string[] {
  return line.replace(/#.*$/, '').trim().split(/\s+/).filter(Boolean);
}

export function parseHaproxy(text: string): HaproxySection[] {
  const sections: HaproxySection[] = [];
  for (const raw of text.split('\n')) {
    const w = words(raw);
    if (w.length === 0) continue;
    if (HAPROXY_SECTIONS.has(w[0]) && !/^\s/.test(raw)) {
      sections.push({ kind: w[0], name: w[1] ?? '', lines: [] });
    } else {
      if (sections.length === 0) throw new Error(`keyword outside any section: ${raw}`);
      sections[sections.length - 1].lines.push(w);
    }
  }
  return sections;
}

export function haproxySection(cfg: HaproxySection[], kind: string, name?: string): HaproxySection {
  const s = cfg.find((x) => x.kind === kind && (name === undefined || x.name === name));
  if (!s) throw new Error(`no ${kind} ${name ?? ''} section`);
  return s;
}

/** Lines of a section starting with the given words (e.g. ['option', 'tcp-check']). */
export function haproxyLines(section: HaproxySection, ...prefix: string[]): string[][] {
  return section.lines.filter((l) => prefix.every((p, i) => l[i] === p));
}

/** `default-server` / `server` options as a map: inter 10s downinter 5s check -> {inter:'10s', ..., check:''}. */
export function serverOptions(words: string[], valued: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < words.length; i++) {
    if (valued.includes(words[i])) out[words[i]] = words[++i];
    else out[words[i]] = '';
  }
  return out;
}

/** A keepalived block or statement: `vrrp_instance VI_1 { ... }` or `priority 200`. */
export interface KeepalivedNode {
  key: string;
  args: string[];
  children?: KeepalivedNode[];
}

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#!].*$/, '');
    const re = /"([^"]*)"|(\{|\})|([^\s{}"]+)/g;
    let m: RegExpExecArray | null;
    const lineTokens: string[] = [];
    while ((m = re.exec(line))) lineTokens.push(m[1] !== undefined ? m[1] : (m[2] ?? m[3]));
    if (lineTokens.length) tokens.push(...lineTokens, '\n');
  }
  return tokens;
}

export function parseKeepalived(text: string): KeepalivedNode[] {
  const tokens = tokenize(text);
  let i = 0;
  const parseBlock = (): KeepalivedNode[] => {
    const nodes: KeepalivedNode[] = [];
    while (i < tokens.length) {
      if (tokens[i] === '\n') {
        i++;
        continue;
      }
      if (tokens[i] === '}') {
        i++;
        return nodes;
      }
      const stmt: string[] = [];
      while (i < tokens.length && tokens[i] !== '\n' && tokens[i] !== '{' && tokens[i] !== '}') stmt.push(tokens[i++]);
      const node: KeepalivedNode = { key: stmt[0], args: stmt.slice(1) };
      if (tokens[i] === '{') {
        i++;
        node.children = parseBlock();
      }
      nodes.push(node);
    }
    return nodes;
  };
  return parseBlock();
}

export function kaBlock(nodes: KeepalivedNode[], key: string, name?: string): KeepalivedNode {
  const n = nodes.find((x) => x.key === key && (name === undefined || x.args[0] === name));
  if (!n) throw new Error(`no ${key} ${name ?? ''} block`);
  return n;
}

/** The arguments of a statement inside a block (undefined when absent). */
export function kaValue(block: KeepalivedNode, key: string): string[] | undefined {
  return block.children?.find((x) => x.key === key)?.args;
}

/** The statements inside a list block such as `virtual_ipaddress { ... }` or `unicast_peer { ... }`. */
export function kaList(block: KeepalivedNode, key: string): string[][] {
  const b = block.children?.find((x) => x.key === key);
  return (b?.children ?? []).map((c) => [c.key, ...c.args]);
}
