/**
 * What an earlier task of this run brings a path to, for --check: the key under which a module keeps
 * (in the host's run state) a fingerprint of the state it plans for a path it changes. A later task
 * in --check that wants the very same state says ok, as the real run will (the path is not changed
 * in a dry run, so its facts alone would say "would change" twice). Any module that changes a path
 * sets the key, so a different change in between is not mistaken for the same one.
 */
export const plannedKey = (path: string) => `planned:${path}`;
