/**
 * The validators precompiled at build time (precompile-schemas.ts), next to this file in dist/.
 * A validator is found by its schema's content and only when it was built with today's ajv options,
 * so a stale file (a schema edited without rebuilding) is never used: that schema is compiled instead.
 * Running from src/ (tests) there is no such file and every schema is compiled.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ErrorObject } from 'ajv/dist/2020.js';
import { AJV_OPTIONS, schemaKey, type AnySchema } from './schema-sources.js';

/** A validation function as ajv makes it; `schema` is the schema it was compiled from. */
export interface Validator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
  schema: AnySchema | boolean;
}

export const PRECOMPILED_FILE = new URL('./precompiled-schemas.cjs', import.meta.url);

interface PrecompiledModule {
  options: string;
  validators: [string, (data: unknown) => boolean][];
}

let byKey: Map<string, (data: unknown) => boolean> | undefined;

/** The precompiled validator of exactly this schema, if there is one. */
export function precompiledValidator(schema: AnySchema): Validator | undefined {
  byKey ??= load();
  const validate = byKey.get(schemaKey(schema)) as Validator | undefined;
  if (validate) validate.schema = schema;
  return validate;
}

function load(): Map<string, (data: unknown) => boolean> {
  if (!existsSync(PRECOMPILED_FILE)) return new Map();
  const mod = createRequire(import.meta.url)(fileURLToPath(PRECOMPILED_FILE)) as PrecompiledModule;
  return mod.options === JSON.stringify(AJV_OPTIONS) ? new Map(mod.validators) : new Map();
}
