/**
 * `lbrun lab ...`: the command line of the lab. src/cli.ts calls labMain with the arguments after
 * "lab" and returns its exit code (0 ok, 1 internal/lab failure, 3 bad usage, missing packages or
 * not root on Linux).
 */
import { HostRequirementError, LbrunError } from '../errors.js';
import { ensureRequirements } from '../setup/host-packages.js';

const USAGE = `usage: lbrun lab <command>

  up [--no-install]      build (first time ~2 min) and start the lab: lb-01..03, the stand-in
                         K3s API servers and the bridge lbrun0; idempotent, repairs a half-built lab.
                         First checks the controller's packages (debootstrap, dpkg-dev, ...) and
                         installs the missing ones with apt-get as root on Debian/Ubuntu; with
                         --no-install (or LBRUN_NO_INSTALL=1) it only names them and exits 3
  down [--keep-disks]    stop everything the lab started and remove its mounts, links, namespaces
                         and the hosts' disks (kept with --keep-disks; the cached base and
                         repository are always kept)
  status [--json]        each host (running, sshd, systemd, haproxy, keepalived), the VIP holder,
                         the backends
  backend stop|start N   stop or start one stand-in API server (k3s-lab-cp-0N, or just N)

options: --quiet (no progress lines), --json (status, up: machine-readable result on stdout)
`;

class UsageError extends Error {}

export async function labMain(args: string[]): Promise<number> {
  const flags = new Set(args.filter((a) => a.startsWith('-')));
  const words = args.filter((a) => !a.startsWith('-'));
  const [cmd, ...rest] = words;
  try {
    if (!cmd || cmd === 'help' || flags.has('--help') || flags.has('-h')) {
      (cmd ? process.stdout : process.stderr).write(USAGE);
      return cmd ? 0 : 3;
    }
    for (const f of flags) if (!['--json', '--quiet', '-q', '--keep-disks', '--no-install'].includes(f)) throw new UsageError(`unknown option ${f}`);
    if (flags.has('--no-install') && cmd !== 'up') throw new UsageError('--no-install is an option of lab up');
    // before anything else (even the root check): a newcomer learns every missing package at once
    if (cmd === 'up') await ensureRequirements('lab', { label: 'lbrun lab up', install: flags.has('--no-install') ? false : undefined });
    if (process.platform !== 'linux' || process.getuid?.() !== 0) {
      process.stderr.write('lbrun lab needs root on Linux\n');
      return 3;
    }
    const lab = await import('./index.js');
    if (flags.has('--quiet') || flags.has('-q')) lab.setQuiet(true);
    const json = flags.has('--json');
    switch (cmd) {
      case 'up': {
        if (rest.length) throw new UsageError(`lab up takes no arguments`);
        const s = await lab.labUp();
        process.stdout.write(json ? `${JSON.stringify(s)}\n` : lab.formatStatus(s));
        return s.up ? 0 : 1;
      }
      case 'down': {
        if (rest.length) throw new UsageError(`lab down takes no arguments`);
        const r = await lab.labDown({ keepDisks: flags.has('--keep-disks') });
        if (json) process.stdout.write(`${JSON.stringify(r)}\n`);
        return 0;
      }
      case 'status': {
        if (rest.length) throw new UsageError(`lab status takes no arguments`);
        const s = await lab.labStatus();
        process.stdout.write(json ? `${JSON.stringify(s)}\n` : lab.formatStatus(s));
        return 0;
      }
      case 'backend': {
        const [action, which] = rest;
        if (!['stop', 'start'].includes(action) || !which || rest.length !== 2) {
          throw new UsageError('usage: lbrun lab backend stop|start <k3s-lab-cp-0N | N>');
        }
        let b;
        try {
          b = lab.findBackend(which);
        } catch (e) {
          throw new UsageError((e as Error).message);
        }
        const st = action === 'stop' ? await lab.stopBackend(b.name) : await lab.startBackend(b.name);
        process.stdout.write(json ? `${JSON.stringify(st)}\n` : `${st.name} ${st.running ? 'up' : 'down'}\n`);
        return 0;
      }
      default:
        throw new UsageError(`unknown lab command "${cmd}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`lbrun lab: ${e.message}\n\n${USAGE}`);
      return 3;
    }
    const msg = e instanceof Error ? e.message : String(e);
    // a missing package's message is already whole (it names the command that failed)
    process.stderr.write(e instanceof HostRequirementError ? `${msg}\n` : `lbrun lab: ${msg}\n`);
    return e instanceof LbrunError ? e.exitCode : 1;
  }
}
