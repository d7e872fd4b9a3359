/** Types every layer shares (variables, vars/, engine/, modules/, report/), so none imports another's room for them. */

export type Vars = Record<string, unknown>;

/** Before/after content of one file (or one setting) for --diff. */
export interface FileDiff {
  path: string;
  before: string;
  after: string;
  /** Set when before/after are not text (binary, too large): shown as a one-line summary. */
  summary?: string;
}
