/**
 * JSON Schema validation (ajv, allErrors) of loaded YAML documents. Every ajv error becomes an
 * InputError with file:line:column of the offending node, the document path and what was expected
 * in words. Schemas live in schemas/*.json (shipped in the package, usable by editors).
 */
import type { Ajv2020, ErrorObject } from 'ajv/dist/2020.js';
import { InputError, type Source } from '../errors.js';
import { didYouMean } from './did-you-mean.js';
import { precompiledValidator, type Validator } from './precompiled.js';
import { createAjv, documentSchemas, type AnySchema, type SchemaName } from './schema-sources.js';
import { pointer, sourceAt, type DocPath, type YamlFile } from './yaml-file.js';

export type { SchemaName } from './schema-sources.js';
export type { Validator } from './precompiled.js';

/** Finds the source of a document path (key: the key of the last map entry). */
export type Locate = (path: DocPath, opts?: { key?: boolean }) => Source;

const compiled = new WeakMap<object, Validator>();
let ajv: Ajv2020 | undefined;

/**
 * The validator of a schema (once per schema object): the precompiled one when the build made one
 * for exactly this schema, else compiled with ajv. Our schemas are checked against the meta-schema
 * at build time and by the tests (test/load/precompile-schemas.test.ts), not at each start.
 */
function validatorOf(schema: AnySchema, compile: (ajv: Ajv2020) => Validator): Validator {
  let v = compiled.get(schema);
  if (!v) {
    v = precompiledValidator(schema) ?? compile((ajv ??= createAjv({ validateSchema: false })));
    compiled.set(schema, v);
  }
  return v;
}

/** Compile (once) a schema object, e.g. a module's argument schema. */
export function compileSchema(schema: AnySchema): Validator {
  return validatorOf(schema, (ajv) => ajv.compile(schema));
}

/** Validate a whole loaded document against one of the shipped schemas. */
export function validateDocument(yf: YamlFile, schema: SchemaName): InputError[] {
  const validate = validatorOf(documentSchemas().get(schema)!, (ajv) => ajv.getSchema(`${schema}.json`) as Validator);
  return validateData(validate, yf.data, (p, o) => sourceAt(yf, p, o), []);
}

/**
 * Validate data; errors are located with `locate(basePath + instancePath)`. `skip(path)` may drop
 * errors whose data cannot be judged yet (e.g. a `{{ template }}` where a number is expected).
 */
export function validateData(
  validate: Validator,
  data: unknown,
  locate: Locate,
  basePath: DocPath,
  skip?: (value: unknown) => boolean,
): InputError[] {
  if (validate(data)) return [];
  const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'if' && !(skip && skip(e.data)));
  const root = validate.schema as AnySchema;
  return convert(errors, { locate, basePath, root }).sort(
    (a, b) => (a.source.line ?? 0) - (b.source.line ?? 0) || (a.source.column ?? 0) - (b.source.column ?? 0),
  );
}

interface Env {
  locate: Locate;
  basePath: DocPath;
  root: AnySchema;
}

/**
 * anyOf/oneOf: ajv reports every failing branch. The branch errors are the run of errors just before
 * the alternative's own error, at or below its path. If some branch got past the type check (errors
 * deeper down, or a wrong/missing key), its errors are the useful ones; otherwise one error lists the
 * alternatives in words.
 */
function convert(errors: ErrorObject[], env: Env): InputError[] {
  const consumed = new Set<ErrorObject>();
  const out: InputError[] = [];
  for (let i = errors.length - 1; i >= 0; i--) {
    const alt = errors[i];
    if (consumed.has(alt) || (alt.keyword !== 'anyOf' && alt.keyword !== 'oneOf')) continue;
    consumed.add(alt);
    const at = alt.instancePath;
    const run: ErrorObject[] = [];
    for (let j = i - 1; j >= 0 && !consumed.has(errors[j]) && within(errors[j].instancePath, at); j--) run.unshift(errors[j]);
    run.forEach((e) => consumed.add(e));
    if (alt.keyword === 'oneOf' && run.length === 0) {
      out.push(make(alt, env, 'the value matches more than one form', describe(alt.parentSchema, env)));
      continue;
    }
    const useful = run.filter((e) => e.instancePath !== at || !SHAPE_KEYWORDS.includes(e.keyword));
    if (useful.length > 1 && useful.every((e) => e.keyword === 'required' && e.instancePath === at)) {
      const keys = useful.map((e) => `'${String((e.params as { missingProperty: string }).missingProperty)}'`);
      out.push(make(alt, env, `missing key ${keys.join(' or ')}`, `one of the keys ${keys.join(', ')}`, undefined, true));
    } else if (useful.length > 0) out.push(...convert(useful, env));
    else out.push(make(alt, env, `invalid value ${short(alt.data)}`, describe(alt.parentSchema, env)));
  }
  for (const e of errors) if (!consumed.has(e)) out.push(simple(e, env));
  return out;
}

/** Keywords that say "this branch is the wrong kind of value". */
const SHAPE_KEYWORDS = ['type', 'enum', 'const', 'pattern', 'anyOf', 'oneOf', 'minimum', 'exclusiveMinimum', 'maximum', 'minLength'];

function within(path: string, base: string): boolean {
  return path === base || path.startsWith(base + '/');
}

function simple(e: ErrorObject, env: Env): InputError {
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const known = Object.keys(((e.parentSchema as AnySchema)?.properties as AnySchema) ?? {});
      const hint = didYouMean(key, known);
      const expected = `no extra key '${key}'${hint || (known.length ? ` (valid keys: ${known.join(', ')})` : '')}`;
      return make(e, env, `unknown key '${key}'`, expected, key);
    }
    case 'required':
      return make(e, env, `missing key '${String(params.missingProperty)}'`, `a key '${String(params.missingProperty)}'`, undefined, true);
    case 'type':
    case 'enum':
    case 'const':
      return make(e, env, `invalid value ${short(e.data)}`, describe(e.parentSchema, env));
    case 'not': {
      // { not: { required: [a, b] } }: keys that exclude each other, blamed at the last of them
      const keys = ((e.schema as { required?: unknown })?.required ?? []) as unknown[];
      if (Array.isArray(keys) && keys.length > 1 && keys.every((k) => typeof k === 'string')) {
        const names = keys.map((k) => `'${String(k)}'`);
        return make(e, env, `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]} cannot be used together`, `only one of ${names.join(', ')}`, String(keys[keys.length - 1]));
      }
      return make(e, env, `invalid value ${short(e.data)}: ${e.message ?? e.keyword}`);
    }
    default: {
      const title = (e.parentSchema)?.title;
      return make(e, env, `invalid value ${short(e.data)}: ${e.message ?? e.keyword}`, typeof title === 'string' ? title : undefined);
    }
  }
}

/** An InputError at the error's node (`key`: at that key of it; `atKey`: at the key naming the node). */
function make(e: ErrorObject, env: Env, reason: string, expected?: string, key?: string, atKey = false): InputError {
  const segs = e.instancePath === '' ? [] : e.instancePath.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const path = [...env.basePath, ...segs, ...(key === undefined ? [] : [key])];
  return new InputError(reason, env.locate(path, { key: key !== undefined || atKey }), { path: pointer(path) || '/', expected });
}

function short(v: unknown): string {
  const s = typeof v === 'number' && !Number.isFinite(v) ? String(v) : (JSON.stringify(v) ?? String(v));
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

const TYPE_WORDS: Record<string, [string, string]> = {
  string: ['a string', 'strings'],
  integer: ['an integer', 'integers'],
  number: ['a number', 'numbers'],
  boolean: ['true or false', 'booleans'],
  null: ['nothing (null)', 'nulls'],
  array: ['a list', 'lists'],
  object: ['a map', 'maps'],
};

/** A schema in words: "one of: present, absent", "a list of strings", or its `title`. */
export function describe(schema: unknown, env: Pick<Env, 'root'>, plural = false): string {
  const s = resolveRef(schema, env.root);
  if (!s || typeof s !== 'object') return 'a valid value';
  if (typeof s.title === 'string') return s.title;
  if (Array.isArray(s.enum)) return `one of: ${s.enum.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ')}`;
  if ('const' in s) return JSON.stringify(s.const);
  const alts = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
  if (Array.isArray(alts)) return alts.map((a) => describe(a, env, plural)).join(' or ');
  const types = Array.isArray(s.type) ? (s.type as string[]) : typeof s.type === 'string' ? [s.type] : [];
  if (types.length === 0) return 'a valid value';
  return types
    .map((t) => {
      const words = TYPE_WORDS[t] ?? [t, t];
      if (t === 'array' && s.items && typeof s.items === 'object') return `${words[plural ? 1 : 0]} of ${describe(s.items, env, true)}`;
      return words[plural ? 1 : 0];
    })
    .join(' or ');
}

function resolveRef(schema: unknown, root: AnySchema): AnySchema | undefined {
  let s = schema as AnySchema | undefined;
  for (let i = 0; i < 10 && s && typeof s.$ref === 'string'; i++) {
    const [file, frag] = s.$ref.split('#');
    const base = file ? [...documentSchemas().values()].find((d) => d.$id === file) : root;
    s = (frag ?? '')
      .split('/')
      .filter(Boolean)
      .reduce<AnySchema | undefined>((node, seg) => node?.[seg] as AnySchema | undefined, base);
  }
  return s;
}
