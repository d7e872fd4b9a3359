/**
 * Loads the bundled CLI (dist/bundle/cli.cjs, written by scripts/bundle.js) with a V8 code cache:
 * the compiled code of an earlier process, so that this one does not parse and compile ~1.7 MB of
 * JavaScript again (docs/dependencies.md: about a third of `lbrun validate`'s CPU).
 *
 * One cache per kind of command (a playbook run, validate, render, lab, ...), written when the
 * process ends, because it holds the functions that process compiled: a `validate` cache would
 * leave a run's SSH and engine code uncompiled. V8 checks each cache against the source, its own
 * version and flags and refuses one that does not match; then the code is compiled as without a
 * cache and the cache is written anew. A cache is written to a temporary name and renamed, so a
 * process never reads a half-written one; where the directory cannot be written, there is no cache.
 * LBRUN_CODE_CACHE=0 turns it off.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

export interface LoadedBundle<T> {
  exports: T;
  /** What became of the cache: used, refused by V8 (compiled anew), absent, or turned off. */
  cache: 'taken' | 'rejected' | 'none' | 'off';
  /** Writes this process's compiled code as the cache of its kind, when it had none that V8 took. */
  saveCache(): void;
}

const SUBCOMMANDS = new Set(['validate', 'render', 'lab', 'help']);

/** The cache a command line uses: a playbook run, or the subcommand's name. */
export function cacheKind(argv: readonly string[]): string {
  const first = argv.find((a) => !a.startsWith('-'));
  return first !== undefined && SUBCOMMANDS.has(first) ? first : 'run';
}

export function loadBundle<T>(bundleFile: string, kind: string, env: NodeJS.ProcessEnv = process.env): LoadedBundle<T> {
  const enabled = env.LBRUN_CODE_CACHE !== '0';
  const cacheFile = join(dirname(bundleFile), 'cache', `${kind}.v8`);
  let cached: Buffer | undefined;
  if (enabled) {
    try {
      cached = readFileSync(cacheFile);
    } catch {
      cached = undefined;
    }
  }
  // read as latin1: the build writes the bundle in ASCII only (scripts/bundle.js checks), where
  // latin1 and UTF-8 are the same text, and latin1 skips UTF-8 decoding (~4 ms of 1.4 MB per start)
  const script = new Script(Module.wrap(readFileSync(bundleFile, 'latin1')), { filename: bundleFile, cachedData: cached });
  const module = { exports: {} as T };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(module.exports, module.exports, createRequire(bundleFile), module, bundleFile, dirname(bundleFile));
  const cache = !enabled ? 'off' : cached === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'taken';
  return {
    exports: module.exports,
    cache,
    saveCache() {
      if (cache !== 'none' && cache !== 'rejected') return;
      const temp = `${cacheFile}.${process.pid}.tmp`;
      try {
        mkdirSync(dirname(cacheFile), { recursive: true });
        writeFileSync(temp, script.createCachedData());
        renameSync(temp, cacheFile);
      } catch {
        // a read-only install: no cache, the same code compiled each time
        try {
          rmSync(temp, { force: true });
        } catch {
          // there was no directory to write the temporary file into
        }
      }
    },
  };
}
