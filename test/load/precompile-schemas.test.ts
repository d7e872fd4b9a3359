/**
 * The build step that precompiles the validators checks every schema against the JSON Schema
 * meta-schema (the run does not: see src/load/schema.ts), so a broken schema fails `npm run build`
 * and this test rather than a user's run.
 */
import t from 'tap';
import { precompiledSchemasSource } from '../../src/load/precompile-schemas.js';
import { createAjv, documentSchemas } from '../../src/load/schema-sources.js';
import { getModule, moduleNames } from '../../src/modules/index.js';

const moduleSchemas = moduleNames().map((name) => getModule(name)!.schema);

t.test('every document schema and module argument schema is a valid JSON Schema', async (t) => {
  const ajv = createAjv({ validateSchema: true }); // throws on an invalid document schema
  t.equal(documentSchemas().size, 5);
  t.ok(moduleSchemas.length >= 15, `${moduleSchemas.length} modules`);
  for (const [i, schema] of moduleSchemas.entries()) {
    t.ok(ajv.validateSchema(schema), `${moduleNames()[i]}: ${ajv.errorsText(ajv.errors)}`);
  }
});

t.test('a broken schema fails the build', async (t) => {
  t.throws(() => precompiledSchemasSource([{ type: 'object', properties: { port: { type: 'integr' } } }]), /schema is invalid/);
});
