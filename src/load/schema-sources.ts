/**
 * What every JSON Schema validator of lbrun is made from: the shipped document schemas
 * (schemas/*.json) and the ajv options. Shared by the run-time fallback compiler (schema.ts) and the
 * build step that precompiles the validators (precompile-schemas.ts), so both give the same errors.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Ajv2020, Options } from 'ajv/dist/2020.js';
import type * as Ajv2020Module from 'ajv/dist/2020.js';

export type SchemaName = 'playbook' | 'inventory' | 'tasks' | 'handlers' | 'vars';

export type AnySchema = Record<string, unknown>;

export const SCHEMA_NAMES: readonly SchemaName[] = ['playbook', 'inventory', 'tasks', 'handlers', 'vars'];

/** The options that shape validators and their errors (precompiled ones record them; see precompiled.ts). */
export const AJV_OPTIONS = { allErrors: true, verbose: true, strict: false, code: { optimize: false } } as const satisfies Options;

const SCHEMA_DIR = new URL('../../schemas/', import.meta.url);
let documents: Map<SchemaName, AnySchema> | undefined;

/** The shipped document schemas by name, read once. Each one's $id is `<name>.json`. */
export function documentSchemas(): ReadonlyMap<SchemaName, AnySchema> {
  documents ??= new Map(SCHEMA_NAMES.map((name) => [name, JSON.parse(readFileSync(new URL(`${name}.json`, SCHEMA_DIR), 'utf8')) as AnySchema]));
  return documents;
}

/** The identity of a schema's content: equal keys, equal validators. */
export function schemaKey(schema: AnySchema): string {
  return JSON.stringify(schema);
}

/**
 * An ajv instance with AJV_OPTIONS (plus `extra`) that knows the document schemas by their $id.
 * ajv is loaded here, on first use, so that a run with precompiled validators never loads it.
 */
export function createAjv(extra: Options = {}): Ajv2020 {
  const { Ajv2020 } = createRequire(import.meta.url)('ajv/dist/2020.js') as typeof Ajv2020Module;
  const ajv = new Ajv2020({ ...AJV_OPTIONS, ...extra, code: { ...AJV_OPTIONS.code, ...extra.code } });
  for (const schema of documentSchemas().values()) ajv.addSchema(schema);
  return ajv;
}
