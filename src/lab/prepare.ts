/** Everything hosts need before one can boot, made once per process (each step is cached on disk). */
import { ensureBase, type Base } from './base.js';
import { ensureBootScript } from './boot.js';
import { cgroupAvailable } from './cgroup.js';
import { ensureKeys, type LabKeys } from './keys.js';
import { ensureBridge } from './network.js';
import { ensureRepo } from './repo.js';

export interface Prepared {
  base: Base;
  repoDir: string;
  keys: LabKeys;
  bootScript: string;
}

let memo: Promise<Prepared> | null = null;

export function prepare(): Promise<Prepared> {
  if (!memo) {
    memo = (async () => {
      if (!(await cgroupAvailable())) {
        throw new Error('lbrun lab needs cgroup v2 (cgroup2 mounted at /sys/fs/cgroup or /sys/fs/cgroup/unified): not found');
      }
      const keys = await ensureKeys();
      const base = await ensureBase();
      const repoDir = await ensureRepo(base);
      const bootScript = await ensureBootScript();
      return { base, repoDir, keys, bootScript };
    })();
    memo.catch(() => {
      memo = null;
    });
  }
  return memo.then(async (p) => {
    await ensureBridge();
    return p;
  });
}
