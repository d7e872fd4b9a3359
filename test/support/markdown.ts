/**
 * Markdown as GitHub reads it, as far as links go: heading anchors (GitHub's slug rules, as in
 * github-slugger), the links of a document, and whether each one points at a file and heading
 * that exist. Fenced code blocks and inline code spans hold no links and no headings.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative } from 'node:path';

/** GitHub's anchor of a heading: rendered text, lower case, punctuation dropped, each space a hyphen. */
export function githubSlug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images keep their text
    .replace(/<[^>]+>/g, '') // inline HTML
    .replace(/`/g, '');
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** The lines of a document outside fenced code blocks, with their 1-based numbers. */
function proseLines(markdown: string): Array<{ line: number; text: string }> {
  const out: Array<{ line: number; text: string }> = [];
  let fence: string | undefined;
  markdown.split('\n').forEach((text, i) => {
    const m = /^ {0,3}(`{3,}|~{3,})/.exec(text);
    if (m) {
      if (fence === undefined) fence = m[1][0];
      else if (m[1][0] === fence) fence = undefined;
      return;
    }
    if (fence === undefined) out.push({ line: i + 1, text });
  });
  return out;
}

/** Every heading's anchor, in order; a repeated one gets -1, -2, ... (github-slugger's counting). */
export function headingAnchors(markdown: string): string[] {
  const occurrences = new Map<string, number>();
  const anchors: string[] = [];
  for (const { text } of proseLines(markdown)) {
    const m = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(text);
    if (!m) continue;
    const original = githubSlug(m[1]);
    let slug = original;
    while (occurrences.has(slug)) {
      const n = (occurrences.get(original) ?? 0) + 1;
      occurrences.set(original, n);
      slug = `${original}-${n}`;
    }
    occurrences.set(slug, 0);
    anchors.push(slug);
  }
  return anchors;
}

export interface Link {
  line: number;
  target: string;
}

/** Inline links and images `[text](target "title")` and reference definitions `[x]: target`. */
export function markdownLinks(markdown: string): Link[] {
  const links: Link[] = [];
  for (const { line, text } of proseLines(markdown)) {
    const prose = text.replace(/(`+)[\s\S]*?\1/g, (s) => ' '.repeat(s.length)); // inline code holds no links
    for (const m of prose.matchAll(/!?\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*(?:<([^>]*)>|([^)\s]+))(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g)) {
      links.push({ line, target: m[1] ?? m[2] });
    }
    const def = /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/.exec(prose);
    if (def) links.push({ line, target: def[1] });
  }
  return links;
}

/** A link to a page on the web, a mail address or another scheme: not checked here. */
function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');
}

/**
 * What is wrong with the relative links of one markdown file: `file:line: link -> reason`. A link
 * is resolved from the file's directory (a leading `/` from the repository root); an anchor must
 * name a heading of the markdown file it points at.
 */
export function brokenLinks(file: string, root: string): string[] {
  const problems: string[] = [];
  const markdown = readFileSync(file, 'utf8');
  const name = relative(root, file);
  for (const { line, target } of markdownLinks(markdown)) {
    if (isExternal(target)) continue;
    const hash = target.indexOf('#');
    const pathPart = decodeURIComponent(hash < 0 ? target : target.slice(0, hash));
    const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
    const dest = pathPart === '' ? file : pathPart.startsWith('/') ? join(root, pathPart) : join(dirname(file), pathPart);
    const where = `${name}:${line}: ${target}`;
    if (!existsSync(dest)) {
      problems.push(`${where} -> no file ${relative(root, dest)}`);
      continue;
    }
    if (anchor === undefined || anchor === '') continue;
    if (statSync(dest).isDirectory() || extname(dest) !== '.md') {
      problems.push(`${where} -> an anchor into ${relative(root, dest)}, which has no headings`);
      continue;
    }
    if (!headingAnchors(readFileSync(dest, 'utf8')).includes(anchor)) {
      problems.push(`${where} -> no heading #${anchor} in ${relative(root, dest)}`);
    }
  }
  return problems;
}
