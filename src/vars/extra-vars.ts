/**
 * `-e` extra vars: `key=value` (the value YAML-parsed as a scalar: 5 -> number, true -> boolean),
 * several `k=v k2="two words"` in one argument, `@file.yaml`, or a JSON/YAML object `{"k": 1}`.
 * Later arguments override earlier ones. A bad argument is an InputError naming it.
 */
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { InputError, type Source } from '../errors.js';
import type { Vars } from '../types.js';
import { loadVarsFile } from '../load/vars-file.js';
import { YAML_OPTIONS } from '../load/yaml-file.js';

export function parseExtraVars(items: string[], cwd: string): Vars {
  const out: Vars = {};
  const sources = new Map<string, Source>();
  for (const item of items) {
    const vars = parseOne(item, cwd);
    Object.assign(out, vars);
    // named without its value: a value given with -e may be a secret
    for (const k of Object.keys(vars)) sources.set(k, { file: `-e ${k}=...` });
  }
  extraSources.set(out, sources);
  return out;
}

const extraSources = new WeakMap<Vars, Map<string, Source>>();

/** Where an extra var was given (`-e NAME=VALUE`), for errors about its value. */
export function extraVarSource(extraVars: Vars | undefined, name: string): Source | undefined {
  return extraVars && Object.hasOwn(extraVars, name) ? (extraSources.get(extraVars)?.get(name) ?? { file: '-e' }) : undefined;
}

function parseOne(item: string, cwd: string): Vars {
  const text = item.trim();
  const where: Source = { file: `-e ${shown(text)}` };
  if (text.startsWith('@')) {
    const file = resolve(cwd, text.slice(1));
    if (text.length === 1) throw new InputError('missing file name after @', where, { expected: '-e @vars.yaml' });
    return loadVarsFile(file).vars;
  }
  if (text.startsWith('{')) {
    let data: unknown;
    try {
      data = parseYaml(text, YAML_OPTIONS);
    } catch (err) {
      throw new InputError(`invalid JSON/YAML object: ${(err as Error).message.split('\n')[0]}`, where, { expected: 'an object like {"key": "value"}' });
    }
    if (!data || typeof data !== 'object' || Array.isArray(data)) throw new InputError('not an object', where, { expected: 'an object like {"key": "value"}' });
    return data as Vars;
  }
  const out: Vars = {};
  const words = splitWords(text, where);
  if (words.length === 0) throw new InputError('empty extra vars', where, { expected: 'key=value, @file.yaml or a JSON object' });
  for (const word of words) {
    const eq = word.indexOf('=');
    const key = eq < 0 ? word : word.slice(0, eq);
    if (eq < 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      throw new InputError(`invalid extra var ${eq < 0 ? "(no '=')" : JSON.stringify(`${key}=`)}`, where, { expected: 'key=value with a variable name as key, @file.yaml or a JSON object' });
    }
    out[key] = scalar(word.slice(eq + 1));
  }
  return out;
}

/**
 * An argument as error messages name it: file names and keys, never a value (it may be a secret,
 * and a value that does not parse cannot be known as one).
 */
function shown(text: string): string {
  if (text.startsWith('@')) return text;
  if (text.startsWith('{')) return '{...}';
  return text
    .split(/\s+/)
    .map((w) => (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w) ? `${w.slice(0, w.indexOf('='))}=...` : '...'))
    .join(' ');
}

/** A value as YAML would read a scalar; anything that is not a scalar stays the string given. */
function scalar(value: string): unknown {
  if (value === '') return '';
  try {
    const v = parseYaml(value, YAML_OPTIONS) as unknown;
    return v !== null && typeof v === 'object' ? value : v;
  } catch {
    return value;
  }
}

/** Split on whitespace outside quotes; quotes stay, so YAML reads `k="5"` as the string "5". */
function splitWords(text: string, where: Source): string[] {
  const words: string[] = [];
  let cur = '';
  let quote: string | null = null;
  let inWord = false;
  for (const c of text) {
    if (quote) {
      if (c === quote) quote = null;
      cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      cur += c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) throw new InputError(`unclosed ${quote} quote`, where, { expected: 'balanced quotes' });
  if (inWord) words.push(cur);
  return words;
}
