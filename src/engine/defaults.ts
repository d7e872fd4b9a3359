/** Hosts worked on at once when --forks is not given (the CLI and run() share it). */
export const DEFAULT_FORKS = 20;
