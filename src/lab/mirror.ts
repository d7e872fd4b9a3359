/** The Debian mirror the lab builds from: the controller's own apt source (never hard-coded). */
import { readFileSync, existsSync } from 'node:fs';

export const SUITE = 'bookworm';

/** First URI of an apt source for SUITE (deb822 debian.sources, then sources.list); LBRUN_LAB_MIRROR overrides. */
export function debianMirror(): string {
  if (process.env.LBRUN_LAB_MIRROR) return process.env.LBRUN_LAB_MIRROR;
  const deb822 = '/etc/apt/sources.list.d/debian.sources';
  if (existsSync(deb822)) {
    for (const stanza of readFileSync(deb822, 'utf8').split(/\n\s*\n/)) {
      const fields = new Map<string, string>();
      for (const line of stanza.split('\n')) {
        const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
        if (m) fields.set(m[1].toLowerCase(), m[2].trim());
      }
      const suites = (fields.get('suites') ?? '').split(/\s+/);
      const types = (fields.get('types') ?? '').split(/\s+/);
      if (suites.includes(SUITE) && types.includes('deb') && fields.get('uris')) {
        return fields.get('uris')!.split(/\s+/)[0];
      }
    }
  }
  const list = '/etc/apt/sources.list';
  if (existsSync(list)) {
    for (const line of readFileSync(list, 'utf8').split('\n')) {
      const m = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line.trim());
      if (m && m[2] === SUITE) return m[1];
    }
  }
  throw new Error(
    `no apt source for Debian ${SUITE} found in ${deb822} or ${list}; set LBRUN_LAB_MIRROR to a Debian mirror URL`,
  );
}
