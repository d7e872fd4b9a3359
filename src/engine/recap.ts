/**
 * PLAY RECAP counts, as ansible-playbook keeps them: a task on a host counts once (loop items
 * aggregate); `ok` includes changed results; an ignored failure counts as ok and ignored.
 */
import type { HostCounts, HostStatus } from './events.js';

export function emptyCounts(): HostCounts {
  return { ok: 0, changed: 0, failed: 0, skipped: 0, unreachable: 0, rescued: 0, ignored: 0 };
}

export class Recap {
  readonly hosts = new Map<string, HostCounts>();

  /** Make sure a host shows in the recap even if nothing ran on it. */
  touch(host: string): HostCounts {
    let c = this.hosts.get(host);
    if (!c) {
      c = emptyCounts();
      this.hosts.set(host, c);
    }
    return c;
  }

  /** `rescued`: a failure a block's rescue took (counted only as rescued, as Ansible does). */
  count(host: string, status: HostStatus | 'rescued', ignored = false): void {
    const c = this.touch(host);
    switch (status) {
      case 'changed':
        c.ok++;
        c.changed++;
        break;
      case 'ok':
        c.ok++;
        break;
      case 'skipped':
        c.skipped++;
        break;
      case 'unreachable':
        c.unreachable++;
        break;
      case 'rescued':
        c.rescued++;
        break;
      case 'failed':
        if (ignored) {
          c.ok++;
          c.ignored++;
        } else {
          c.failed++;
        }
        break;
    }
  }

  toObject(): Record<string, HostCounts> {
    return Object.fromEntries([...this.hosts].map(([h, c]) => [h, { ...c }]));
  }
}

/** Exit code precedence (docs/cli.md) (input errors, 3, never reach a recap): 130, then 2, 4, 5, 0. */
export function exitCodeFor(
  hosts: Record<string, HostCounts>,
  opts: { interrupted: boolean; failOnChange: boolean },
): number {
  if (opts.interrupted) return 130;
  const all = Object.values(hosts);
  if (all.some((c) => c.failed > 0)) return 2;
  if (all.some((c) => c.unreachable > 0)) return 4;
  if (opts.failOnChange && all.some((c) => c.changed > 0)) return 5;
  return 0;
}
