/** Variables files (group_vars, host_vars, role defaults/vars, vars_files, -e @file): a YAML map. */
import type { InputError, Source } from '../errors.js';
import type { Vars } from '../types.js';
import { validateDocument } from './schema.js';
import { loadYamlFile, type YamlFile } from './yaml-file.js';

/** Load a variables file; an empty file (or only comments) is an empty map. Throws InputError(s). */
export function loadVarsFile(file: string, namedAt?: Source): { vars: Vars; yaml: YamlFile } {
  const yaml = loadYamlFile(file, { allowEmpty: true, namedAt });
  if (yaml.data === null) return { vars: {}, yaml };
  const errors: InputError[] = validateDocument(yaml, 'vars');
  if (errors.length) throw errors[0];
  return { vars: yaml.data as Vars, yaml };
}
