/** Gather InputErrors instead of stopping at the first one, so users see every problem at once. */
import { InputError, InputErrors } from '../errors.js';

/** Run fn; an InputError(s) it throws is appended to `errors` and undefined returned. */
export function collect<T>(errors: InputError[], fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    if (err instanceof InputErrors) errors.push(...err.errors);
    else if (err instanceof InputError) errors.push(err);
    else throw err;
    return undefined;
  }
}
