/** `serial:` of a play: a positive integer, "N%" (0 < N <= 100), or a list of those (the last repeats). */
import { InputError, type Source } from '../errors.js';

const EXPECTED = 'a positive integer, a percentage like "30%" (above 0, at most 100), or a list of those';

export function checkSerial(value: unknown, source: Source, errors: InputError[]): Array<number | string> | undefined {
  const items = Array.isArray(value) ? value : [value];
  const out: Array<number | string> = [];
  for (const item of items) {
    const pct = typeof item === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(item) : null;
    if (Number.isInteger(item) && (item as number) > 0) out.push(item as number);
    else if (pct && Number(pct[1]) > 0 && Number(pct[1]) <= 100) out.push(`${pct[1]}%`);
    else {
      errors.push(new InputError(`invalid serial ${JSON.stringify(item)}`, source, { expected: EXPECTED }));
      return undefined;
    }
  }
  return out;
}
