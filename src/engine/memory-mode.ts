/**
 * A run over many hosts at once favours memory over speed in V8's heap (`--optimize-for-size`):
 * each host's task state outlives young-generation collections while it waits on its round trip,
 * so the old generation fills with garbage that V8's default growth lets pile up. At 200 hosts the
 * peak RSS drops from 152-174 MB to 123-150 MB (mostly 123-134) for ~4 % more wall time (docs/benchmark.md).
 * Small runs keep the default: their time is start-up and round trips, where the flag costs CPU.
 * The flag is set after the code cache was checked and reset when the run ends, so the cache that
 * a later process checks was made under the default flags.
 */
import { setFlagsFromString } from 'node:v8';

/** Hosts running at once from which a run favours memory. */
export const MANY_HOSTS = 64;

/** Favours memory when `concurrent` hosts run at once; returns what restores the default. */
export function favourMemoryFor(concurrent: number): () => void {
  if (concurrent < MANY_HOSTS) return () => {};
  setFlagsFromString('--optimize-for-size');
  return () => setFlagsFromString('--no-optimize-for-size');
}
