/** Progress lines for the slow parts of `lab up`, on stderr (stdout stays for results). */
let quiet = false;

export function setQuiet(q: boolean): void {
  quiet = q;
}

export function progress(msg: string): void {
  if (!quiet) process.stderr.write(`[lab] ${msg}\n`);
}

export function verbose(): boolean {
  return process.env.LBRUN_LAB_VERBOSE === '1';
}
