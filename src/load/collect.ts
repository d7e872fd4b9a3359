/** Gather InputErrors instead of stopping at the first one, so users see every problem at once. */
import { InputError, InputErrors } from '../errors.js';

/** The InputErrors carried by a thrown value; anything else is re-thrown. */
export function inputErrorsOf(err: unknown): InputError[] {
  if (err instanceof InputErrors) return err.errors;
  if (err instanceof InputError) return [err];
  throw err;
}

/** Run fn; an InputError(s) it throws is appended to `errors` and undefined returned. */
export function collect<T>(errors: InputError[], fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    errors.push(...inputErrorsOf(err));
    return undefined;
  }
}

/** The same for a promise. */
export async function collectAsync<T>(errors: InputError[], promise: Promise<T>): Promise<T | undefined> {
  try {
    return await promise;
  } catch (err) {
    errors.push(...inputErrorsOf(err));
    return undefined;
  }
}
