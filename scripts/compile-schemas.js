#!/usr/bin/env node
/**
 * `npm run build`, after tsc: precompile every ajv validator (the document schemas and each
 * registered module's argument schema) into dist/config/precompiled-schemas.cjs, so that a run does
 * not compile them at start-up (src/config/precompiled.ts). Fails on a schema that is not valid.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { precompiledSchemasSource } from '../dist/config/precompile-schemas.js';
import { PRECOMPILED_FILE } from '../dist/config/precompiled.js';
import { getModule, moduleNames } from '../dist/modules/index.js';

const moduleSchemas = moduleNames().map((name) => getModule(name).schema);
writeFileSync(PRECOMPILED_FILE, precompiledSchemasSource(moduleSchemas));
console.log(`precompiled ${moduleSchemas.length} module schemas and the document schemas into ${fileURLToPath(PRECOMPILED_FILE)}`);
