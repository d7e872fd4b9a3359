/**
 * known_hosts files: lookup (plain and hashed `|1|salt|hash` entries, `[host]:port` for ports other
 * than 22, wildcards and `!negation`, `@revoked`), fingerprints, and recording a new key.
 */
import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface KnownKey {
  file: string;
  line: number;
  type: string;
  /** base64 of the key blob */
  key: string;
  revoked: boolean;
}

/** `SHA256:...` fingerprint of a key blob, as ssh-keygen -l prints it. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside a key blob (e.g. "ssh-ed25519"). */
export function keyType(blob: Buffer): string {
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('latin1');
}

/** The name under which known_hosts stores a host: `host`, or `[host]:port` when port != 22. */
export function hostEntryName(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`;
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

function hashedMatcher(pattern: string): (name: string) => boolean {
  const [, , salt, hash] = pattern.split('|');
  if (!salt || !hash) return () => false;
  const key = Buffer.from(salt, 'base64');
  return (name) => createHmac('sha1', key).update(name).digest('base64') === hash;
}

/** A line's host patterns as one test: hashed, or a comma list of globs where a `!` match vetoes. */
function patternsMatcher(patterns: string): (name: string) => boolean {
  if (patterns.startsWith('|1|')) return hashedMatcher(patterns);
  const globs = patterns.split(',').map((p) => (p.startsWith('!') ? { negated: true, re: globToRegExp(p.slice(1)) } : { negated: false, re: globToRegExp(p) }));
  return (name) => {
    let matched = false;
    for (const g of globs) {
      if (g.re.test(name)) {
        if (g.negated) return false;
        matched = true;
      }
    }
    return matched;
  };
}

interface Entry {
  line: number;
  type: string;
  key: string;
  revoked: boolean;
  matches: (name: string) => boolean;
}

function parseKnownHosts(text: string): Entry[] {
  const entries: Entry[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: string | undefined;
    if (fields[0].startsWith('@')) marker = fields.shift();
    const [patterns, type, key] = fields;
    if (!patterns || !type || !key || marker === '@cert-authority') return;
    entries.push({ line: i + 1, type, key, revoked: marker === '@revoked', matches: patternsMatcher(patterns) });
  });
  return entries;
}

/**
 * Each file is parsed again only when its text changed: a run that connects to N hosts reads the
 * file N times but parses it once (the parse, O(lines) per host, was O(N^2) for a fleet's file).
 */
const parsed = new Map<string, { text: string; entries: Entry[] }>();

function entriesOf(file: string): Entry[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  const cached = parsed.get(file);
  if (cached?.text === text) return cached.entries;
  const entries = parseKnownHosts(text);
  parsed.set(file, { text, entries });
  return entries;
}

/** Every key recorded for `address:port` in the given files (missing files are skipped). */
export function lookupKnownKeys(files: string[], address: string, port: number): KnownKey[] {
  const name = hostEntryName(address, port);
  const found: KnownKey[] = [];
  for (const file of files) {
    for (const e of entriesOf(file)) {
      if (e.matches(name)) found.push({ file, line: e.line, type: e.type, key: e.key, revoked: e.revoked });
    }
  }
  return found;
}

/** Append a key for `address:port` to a known_hosts file (created with its directory if missing). */
export function recordKnownKey(file: string, address: string, port: number, blob: Buffer): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const prefix = existsSync(file) && !readFileSync(file, 'utf8').endsWith('\n') && readFileSync(file).length > 0 ? '\n' : '';
  appendFileSync(file, `${prefix}${hostEntryName(address, port)} ${keyType(blob)} ${blob.toString('base64')}\n`, {
    mode: 0o600,
  });
}

/** Host key algorithms ssh2 should ask for, given the recorded key types (rsa has three names). */
export function hostKeyAlgorithms(types: string[]): string[] {
  const out = new Set<string>();
  for (const t of types) {
    if (t === 'ssh-rsa') ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'].forEach((a) => out.add(a));
    else out.add(t);
  }
  return [...out];
}
