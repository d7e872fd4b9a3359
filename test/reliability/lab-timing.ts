/**
 * Timing on the lab with one clock: the lab hosts share the controller's kernel, so `date +%s.%N`
 * on any of them and on the controller reads the same clock. waitForVipOn() runs a tight loop
 * inside the host that should take the VIP and reports when the address appeared there.
 */
import { execFileSync } from 'node:child_process';
import { labExec } from '../lab/helpers.js';
import { VIP } from '../e2e/lab-site.js';

/** Seconds since the epoch, from the shared clock (on the controller). */
export function now(): number {
  return Number(execFileSync('date', ['+%s.%N'], { encoding: 'utf8' }).trim());
}

/**
 * Start watching `host` for the VIP; resolves with the time (shared clock, seconds) it held the
 * VIP, or null after timeoutS. Call it BEFORE the event; await `ready` before causing the event.
 */
export function waitForVipOn(host: string, timeoutS: number): { ready: Promise<void>; at: Promise<number | null> } {
  const script = [
    `end=$(( $(date +%s) + ${Math.ceil(timeoutS)} ))`,
    // already there: report at once
    `while [ "$(date +%s)" -le "$end" ]; do`,
    `  if ip -4 -o addr show dev eth0 | grep -q ' inet ${VIP}/'; then date +%s.%N; exit 0; fi`,
    '  sleep 0.01',
    'done',
    'exit 1',
  ].join('\n');
  const at = labExec(host, script, { timeoutMs: (timeoutS + 10) * 1000 }).then((r) => (r.code === 0 ? Number(r.stdout.trim()) : null));
  // the loop runs once labExec has entered the host (a few ms); give it a moment
  const ready = new Promise<void>((r) => setTimeout(r, 300));
  return { ready, at };
}

/**
 * Follow which host holds the VIP, every ~50 ms, until stop(): the sequence of holders (null = no
 * one, 'a+b' = several at once) with the time each started.
 */
export function followVip(hosts: string[]): { stop(): Promise<Array<{ at: number; holder: string }>> } {
  const seen: Array<{ at: number; holder: string }> = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const held = await Promise.all(
        hosts.map(async (h) => ((await labExec(h, 'ip -4 -o addr show dev eth0', { timeoutMs: 10_000 })).stdout.includes(` inet ${VIP}/`) ? h : null)),
      );
      const holder = held.filter(Boolean).join('+') || 'none';
      if (seen.at(-1)?.holder !== holder) seen.push({ at: now(), holder });
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return seen;
    },
  };
}

/**
 * Handovers in a followVip() sequence: how many times the sole holder changed. Moments with no
 * holder are ignored, and so is a moment with several holders between two sole holders: in a
 * handover the new master adds the VIP a few ms before the old one, on its advert, drops it, and
 * the poll reads the hosts one after another. How long several hosts held it is overlaps()'s.
 */
export function moves(seq: Array<{ holder: string }>): number {
  const holders = seq.map((s) => s.holder).filter((h) => h !== 'none' && !h.includes('+'));
  let n = 0;
  for (let i = 1; i < holders.length; i++) if (holders[i] !== holders[i - 1]) n++;
  return n;
}

/**
 * Each moment of a followVip() sequence with several holders, and how long it lasted in seconds
 * (up to the next change seen; Infinity when the sequence ends with it: a split that never ended).
 */
export function overlaps(seq: Array<{ at: number; holder: string }>): Array<{ holder: string; seconds: number }> {
  return seq.flatMap((s, i) => (s.holder.includes('+') ? [{ holder: s.holder, seconds: i + 1 < seq.length ? seq[i + 1].at - s.at : Infinity }] : []));
}
