/**
 * Render the shipped playbook offline with the real CLI (`lbrun render ... --out DIR`) and collect
 * each host's haproxy.cfg and keepalived.conf. No host is contacted.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { runCli, type CliResult } from '../support/run-cli.js';

export interface RenderedHost {
  /** Paths of the rendered files on disk. */
  haproxyFile: string;
  keepalivedFile: string;
  haproxy: string;
  keepalived: string;
}

export interface Rendered {
  cli: CliResult;
  dir: string;
  hosts: Map<string, RenderedHost>;
  cleanup(): void;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** The rendered file for `host` whose path ends with `dest` (the out dir holds host/dest). */
function find(files: string[], dir: string, host: string, dest: string): string {
  const hits = files.filter((f) => {
    const rel = relative(dir, f).split(sep);
    return rel.includes(host) && `/${rel.join('/')}`.endsWith(dest);
  });
  if (hits.length !== 1) {
    throw new Error(`expected one rendered ${dest} for ${host} under ${dir}, found ${hits.length}: ${files.map((f) => relative(dir, f)).join(', ')}`);
  }
  return hits[0];
}

export async function renderSite(
  inventory: string,
  hosts: string[],
  opts: { extra?: string[]; env?: NodeJS.ProcessEnv } = {},
): Promise<Rendered> {
  const dir = mkdtempSync(join(tmpdir(), 'lbrun-render-'));
  const cli = await runCli(['render', 'playbooks/site.yaml', '-i', inventory, '--out', dir, ...(opts.extra ?? [])], {
    env: opts.env,
    timeoutMs: 60_000,
  });
  const out: Rendered = { cli, dir, hosts: new Map(), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  if (cli.code !== 0) return out;
  const files = walk(dir);
  for (const host of hosts) {
    const haproxyFile = find(files, dir, host, '/etc/haproxy/haproxy.cfg');
    const keepalivedFile = find(files, dir, host, '/etc/keepalived/keepalived.conf');
    out.hosts.set(host, {
      haproxyFile,
      keepalivedFile,
      haproxy: readFileSync(haproxyFile, 'utf8'),
      keepalived: readFileSync(keepalivedFile, 'utf8'),
    });
  }
  return out;
}

/** The lab nodes' addresses, as their facts report them (eth0). */
export const LAB_NODE_ADDRESSES: Readonly<Record<string, string>> = { 'lb-01': '10.213.0.11', 'lb-02': '10.213.0.12', 'lb-03': '10.213.0.13' };

/**
 * A copy of inventory/lab.yaml with the facts `render` cannot gather (interface, address) declared
 * in host_vars, as the nodes report them; the lab run itself gathers them (test/e2e).
 */
export function labInventoryWithFacts(): { inventory: string; cleanup(): void } {
  const inv = mkdtempSync(join(tmpdir(), 'lbrun-lab-inv-'));
  copyFileSync('inventory/lab.yaml', join(inv, 'lab.yaml'));
  mkdirSync(join(inv, 'host_vars'));
  for (const [host, address] of Object.entries(LAB_NODE_ADDRESSES)) {
    writeFileSync(join(inv, 'host_vars', `${host}.yaml`), `ansible_default_ipv4: { interface: eth0, address: ${address} }\n`);
  }
  return { inventory: join(inv, 'lab.yaml'), cleanup: () => rmSync(inv, { recursive: true, force: true }) };
}

