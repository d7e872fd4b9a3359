/**
 * Columns as an editor shows them: one per character, a character outside the BMP (an emoji, a
 * surrogate pair in a JS string) counted once. Counted in place, without copying the text: a
 * flow-style file or a long `-e` value can be one long line that many positions point into.
 */

/** 1-based column of `offset` on the line that starts at `lineStart` (UTF-16 offsets). */
export function columnAt(text: string, lineStart: number, offset: number): number {
  let column = 1 + offset - lineStart;
  for (let i = lineStart; i < offset - 1; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        column--;
        i++;
      }
    }
  }
  return column;
}
