/**
 * Reads that share a round trip (src/engine/host-reads.ts) and can share work:
 *  - reads with the same ReadJoin kind (`systemctl show` of two units) run as one command at the
 *    place of the first, and each gets its part of the output, as its own command would have
 *    printed it. A joined command whose output cannot be split exactly (an exit code other than 0,
 *    anything on stderr, a count of parts other than the reads') answers none of its reads: each
 *    then runs on its own turn;
 *  - reads with the same ReadPrelude kind (file facts) get one script run before them all, for all
 *    their items, that their own commands then answer from; what each prints does not change.
 */
import type { ExecResult, ReadJoin, ReadPrelude } from '../connection/types.js';

export interface BatchRead {
  command: string;
  join?: ReadJoin;
  preludes?: ReadPrelude[];
}

export interface JoinedBatch {
  /** Run once before the commands: each kind's ReadPrelude for its reads' items ('' for none). */
  prelude: string;
  /** The commands to run, one per read or per group of joined reads. */
  commands: string[];
  /** Each read's answer from the commands' results (same order as `commands`); undefined: none. */
  answers(results: ExecResult[]): Array<ExecResult | undefined>;
}

interface Slot {
  command: string;
  members: number[];
  join?: ReadJoin;
}

export function joinReads(reads: BatchRead[]): JoinedBatch {
  const slots: Slot[] = [];
  const byKind = new Map<string, Slot>();
  reads.forEach((r, i) => {
    const same = r.join && byKind.get(r.join.kind);
    if (same) {
      same.members.push(i);
      return;
    }
    const slot: Slot = { command: r.command, members: [i], join: r.join };
    slots.push(slot);
    if (r.join) byKind.set(r.join.kind, slot);
  });
  for (const s of slots) if (s.members.length > 1) s.command = s.join!.command(s.members.map((i) => reads[i].join!.item));
  return {
    prelude: preludeOf(reads),
    commands: slots.map((s) => s.command),
    answers(results) {
      const out: Array<ExecResult | undefined> = reads.map(() => undefined);
      slots.forEach((s, k) => {
        const r = results[k];
        if (s.members.length === 1) {
          out[s.members[0]] = r;
          return;
        }
        if (r.rc !== 0 || r.stderr !== '') return;
        const parts = s.join!.split(r.stdout, s.members.length);
        if (parts?.length !== s.members.length) return;
        s.members.forEach((m, j) => (out[m] = { rc: 0, stdout: parts[j], stderr: '' }));
      });
      return out;
    },
  };
}

/** Each prelude kind's script for the items of all its reads (first seen first, no repeats), when
 *  two or more reads share it: for one read alone it would only move that read's own work. */
function preludeOf(reads: BatchRead[]): string {
  const kinds = new Map<string, { prelude: ReadPrelude; items: Set<string>; reads: number }>();
  for (const p of reads.flatMap((r) => r.preludes ?? [])) {
    let k = kinds.get(p.kind);
    if (!k) kinds.set(p.kind, (k = { prelude: p, items: new Set(), reads: 0 }));
    k.reads++;
    for (const i of p.items) k.items.add(i);
  }
  return [...kinds.values()]
    .filter((k) => k.reads > 1 && k.items.size > 0)
    .map((k) => k.prelude.script([...k.items]))
    .join('\n');
}
