/**
 * A value that is known to exist but not known yet: offline (validate/render), a variable that an
 * earlier task registers. Expressions over it evaluate to UNKNOWN instead of failing.
 */
export const UNKNOWN: unique symbol = Symbol('lbrun.unknown');
export type Unknown = typeof UNKNOWN;

export function isUnknown(v: unknown): v is Unknown {
  return v === UNKNOWN;
}
