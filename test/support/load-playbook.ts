/**
 * Offline loader tests: load playbook.yaml of a throw-away project (t.testdir). `files` is the
 * project's files, or playbook.yaml's text alone.
 */
import { join } from 'node:path';
import { type Test } from 'tap';
import { loadPlaybook } from '../../src/playbook/load.js';
import type { PlaybookSpec } from '../../src/playbook/types.js';

type Files = string | Parameters<Test['testdir']>[0];

function project(t: Test, files: Files): string {
  return t.testdir(typeof files === 'string' ? { 'playbook.yaml': files } : files);
}

/** The loaded playbook.yaml of a throw-away project. */
export async function loadTestPlaybook(t: Test, files: Files): Promise<PlaybookSpec> {
  return loadPlaybook(join(project(t, files), 'playbook.yaml'));
}

/** The loader's error message (with the project's dir stripped); asserts that it exits 3. */
export async function loadError(t: Test, files: Files): Promise<string> {
  const dir = project(t, files);
  try {
    await loadPlaybook(join(dir, 'playbook.yaml'));
  } catch (err) {
    t.equal((err as { exitCode?: number }).exitCode, 3, 'input errors exit 3');
    return (err as Error).message.split(dir + '/').join('');
  }
  t.fail('expected an error');
  return '';
}
