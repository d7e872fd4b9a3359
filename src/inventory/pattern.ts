/**
 * Host patterns for a play's `hosts:` and `--limit` (docs/file-formats.md): `all`, `*`, host names, group
 * names, globs (`lb-0*`, `lb-0[12]`, matched against host and group names), lists separated by
 * commas or colons (union), `!pat` (exclude), `&pat` (intersect). The result is in inventory order.
 * A plain name that is neither a host nor a group is an InputError (a typo must not silently run on
 * nothing); a glob that matches nothing just selects no host, like Ansible.
 */
import { InputError, sourceWithin, type Source } from '../errors.js';
import { didYouMean } from '../load/did-you-mean.js';
import { GlobError, globToRegExp, isGlob } from '../text/glob.js';
import type { Inventory } from './types.js';

export function matchHosts(inv: Inventory, pattern: string, source?: Source): string[] {
  const where: Source = source ?? { file: inv.file };
  const terms = pattern
    .split(/[,:]/)
    .map((t) => t.trim())
    .filter(Boolean);
  if (terms.length === 0) throw new InputError(`empty host pattern ${JSON.stringify(pattern)}`, where, { expected: 'a host or group name, a glob or a list' });
  let selected = new Set<string>();
  const intersections: Set<string>[] = [];
  const exclusions: Set<string>[] = [];
  for (const term of terms) {
    // an error about a term points at that term inside the pattern
    const at = sourceWithin(where, pattern, term.replace(/^[!&]/, ''));
    if (term.startsWith('!')) exclusions.push(resolveTerm(inv, term.slice(1), at, pattern));
    else if (term.startsWith('&')) intersections.push(resolveTerm(inv, term.slice(1), at, pattern));
    else selected = new Set([...selected, ...resolveTerm(inv, term, at, pattern)]);
  }
  if (selected.size === 0 && terms.every((t) => t.startsWith('!') || t.startsWith('&'))) selected = new Set(inv.hosts.keys());
  return [...inv.hosts.keys()].filter(
    (h) => selected.has(h) && intersections.every((s) => s.has(h)) && !exclusions.some((s) => s.has(h)),
  );
}

function resolveTerm(inv: Inventory, term: string, where: Source, pattern: string): Set<string> {
  if (term === '' ) throw new InputError(`empty term in host pattern ${JSON.stringify(pattern)}`, where);
  if (term === 'all' || term === '*') return new Set(inv.hosts.keys());
  if (inv.hosts.has(term)) return new Set([term]);
  if (inv.groups.has(term)) return groupHosts(inv, term);
  if (isGlob(term)) {
    const re = hostGlob(term, where, pattern);
    const out = new Set<string>();
    for (const h of inv.hosts.keys()) if (re.test(h)) out.add(h);
    for (const g of inv.groups.keys()) if (re.test(g)) for (const h of groupHosts(inv, g)) out.add(h);
    return out;
  }
  throw new InputError(
    `host pattern ${JSON.stringify(pattern)}: no host or group named '${term}' in ${inv.file}${didYouMean(term, [...inv.hosts.keys(), ...inv.groups.keys()])}`,
    where,
    { expected: `a host or group of the inventory (groups: ${[...inv.groups.keys()].join(', ')})` },
  );
}

/** Hosts of a group and of all its descendants. */
function groupHosts(inv: Inventory, group: string): Set<string> {
  const out = new Set<string>();
  const seen = new Set<string>();
  const todo = [group];
  while (todo.length) {
    const g = inv.groups.get(todo.pop() as string);
    if (!g || seen.has(g.name)) continue;
    seen.add(g.name);
    g.hosts.forEach((h) => out.add(h));
    todo.push(...g.children);
  }
  if (group === 'all') for (const h of inv.hosts.keys()) out.add(h);
  return out;
}

/** A glob as a RegExp; a bad one (`[2-1]`, `[]`) is an InputError at the pattern's source. */
function hostGlob(glob: string, where: Source, pattern: string): RegExp {
  try {
    return globToRegExp(glob, { strict: true });
  } catch (err) {
    if (!(err instanceof GlobError)) throw err;
    throw new InputError(`host pattern ${JSON.stringify(pattern)}: ${err.message}`, where, { expected: err.expected });
  }
}
