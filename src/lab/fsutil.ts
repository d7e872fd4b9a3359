/** Small filesystem helpers. */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile, chmod, chown, stat } from 'node:fs/promises';
import path from 'node:path';

export function sha(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
}

export async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

export async function readText(p: string): Promise<string | null> {
  try {
    return await readFile(p, 'utf8');
  } catch {
    return null;
  }
}

/** Write a file atomically (temporary file beside it, then rename), with mode and owner. */
export async function writeAtomic(
  p: string,
  data: string,
  opts: { mode?: number; uid?: number; gid?: number } = {},
): Promise<void> {
  await mkdir(path.dirname(p), { recursive: true });
  const tmp = `${p}.lbrun-tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  await writeFile(tmp, data, { mode: opts.mode ?? 0o644 });
  await chmod(tmp, opts.mode ?? 0o644);
  if (opts.uid !== undefined) await chown(tmp, opts.uid, opts.gid ?? opts.uid);
  await rename(tmp, p);
}

export async function rmrf(p: string): Promise<void> {
  await rm(p, { recursive: true, force: true });
}
