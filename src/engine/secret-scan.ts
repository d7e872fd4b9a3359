/**
 * Secrets of a project that does not load (the error being reported may quote them): every YAML
 * file near the playbook and the inventory is read leniently (syntax errors, duplicate keys and
 * wrong shapes allowed), the names listed in any `secret_vars` are collected, and every value
 * written under such a name anywhere is remembered. Used only to mask errors and listings.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { YAML_OPTIONS } from '../load/yaml-file.js';
import type { Redactor } from '../secrets/redact.js';
import { IMPLICIT_SECRET_NAMES } from './secret-names.js';

const MAX_FILES = 400;
const MAX_BYTES = 1024 * 1024;
const MAX_DEPTH = 4;

interface Doc {
  data: unknown;
  /** The directory of its file (vars_files are relative to it). */
  dir: string;
}

export function scanSecrets(files: string[], redactor: Redactor): void {
  const docs: Doc[] = [];
  const seen = new Set<string>();
  const dirs = new Set<string>();
  for (const f of files) {
    readYaml(resolve(f), docs, seen);
    dirs.add(dirname(resolve(f)));
  }
  for (const d of [...dirs]) dirs.add(join(d, '..', 'roles'));
  for (const d of dirs) walkDir(d, 0, docs, seen);
  // vars_files may live anywhere (an absolute path): follow them
  for (let i = 0; i < docs.length; i++) {
    for (const f of varsFiles(docs[i].data, 0)) readYaml(isAbsolute(f) ? f : resolve(docs[i].dir, f), docs, seen);
  }
  const names = new Set(IMPLICIT_SECRET_NAMES);
  for (const doc of docs) collectNames(doc.data, names, 0);
  for (const doc of docs) collectValues(doc.data, names, redactor, 0);
}

function walkDir(dir: string, depth: number, docs: Doc[], seen: Set<string>): void {
  if (depth > MAX_DEPTH || seen.size >= MAX_FILES) return;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) walkDir(path, depth + 1, docs, seen);
    else if (/\.ya?ml$/i.test(e.name) || (!e.name.includes('.') && /(?:group|host)_vars/.test(dir))) readYaml(path, docs, seen);
  }
}

function readYaml(file: string, docs: Doc[], seen: Set<string>): void {
  if (seen.has(file) || seen.size >= MAX_FILES) return;
  seen.add(file);
  try {
    if (!statSync(file).isFile() || statSync(file).size > MAX_BYTES) return;
    const text = readFileSync(file, 'utf8');
    for (const doc of parseAllDocuments(text, { ...YAML_OPTIONS, uniqueKeys: false })) {
      try {
        docs.push({ data: doc.toJS({ maxAliasCount: 1000 }) as unknown, dir: dirname(file) });
      } catch {
        // a document that cannot be read at all holds nothing we can find
      }
    }
  } catch {
    // unreadable: nothing to learn
  }
}

function varsFiles(v: unknown, depth: number): string[] {
  if (depth > 64 || v === null || typeof v !== 'object') return [];
  if (Array.isArray(v)) return v.flatMap((x) => varsFiles(x, depth + 1));
  const out: string[] = [];
  for (const [k, x] of Object.entries(v)) {
    if (k === 'vars_files' && Array.isArray(x)) for (const f of x) if (typeof f === 'string' && !f.includes('{{')) out.push(f);
    out.push(...varsFiles(x, depth + 1));
  }
  return out;
}

function collectNames(v: unknown, names: Set<string>, depth: number): void {
  if (depth > 64 || v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) return v.forEach((x) => collectNames(x, names, depth + 1));
  for (const [k, x] of Object.entries(v)) {
    if (k === 'secret_vars') {
      if (typeof x === 'string') names.add(x);
      else if (Array.isArray(x)) for (const n of x) if (typeof n === 'string') names.add(n);
    } else collectNames(x, names, depth + 1);
  }
}

function collectValues(v: unknown, names: Set<string>, redactor: Redactor, depth: number): void {
  if (depth > 64 || v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) return v.forEach((x) => collectValues(x, names, redactor, depth + 1));
  for (const [k, x] of Object.entries(v)) {
    if (names.has(k)) redactor.add(literal(x));
    collectValues(x, names, redactor, depth + 1);
  }
}

/** A value as written, without templated strings (those are learnt rendered, by the engine). */
function literal(v: unknown): unknown {
  if (typeof v === 'string') return v.includes('{{') ? undefined : v;
  if (Array.isArray(v)) return v.map(literal);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, literal(x)]));
  return v;
}
