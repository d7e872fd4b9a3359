/** --json: one JSON object per line (NDJSON) per event, on stdout. Events arrive redacted. */
import type { RunEvent } from '../engine/events.js';

export class JsonReporter {
  constructor(private readonly write: (text: string) => void) {}

  handle(e: RunEvent): void {
    this.write(`${JSON.stringify(e)}\n`);
  }
}
