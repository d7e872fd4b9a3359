#!/usr/bin/env node
/**
 * `npm run build`, after tsc: precompile every ajv validator (the document schemas and each
 * registered module's argument schema) into dist/load/precompiled-schemas.cjs, so that a run does
 * not compile them at start-up (src/load/precompiled.ts). Fails on a schema that is not valid.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { precompiledSchemasSource } from '../dist/load/precompile-schemas.js';
import { PRECOMPILED_FILE } from '../dist/load/precompiled.js';
import { getModule, moduleNames } from '../dist/modules/index.js';

const moduleSchemas = moduleNames().map((name) => getModule(name).schema);
writeFileSync(PRECOMPILED_FILE, precompiledSchemasSource(moduleSchemas));
console.log(`precompiled ${moduleSchemas.length} module schemas and the document schemas into ${fileURLToPath(PRECOMPILED_FILE)}`);
