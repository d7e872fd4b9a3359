/**
 * The cached Debian 12 base root every lab host overlays. Two stages, each cached by the hash of
 * its recipe: a pristine debootstrap (slow, ~2 min, downloads) and the customised base (a copy of
 * it plus a small script: fast). Changing the recipe builds a new directory; old ones are removed
 * once no running host uses them.
 */
import { readdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { CACHE_DIR } from './config.js';
import { exists, rmrf, sha, writeAtomic } from './fsutil.js';
import { progress, verbose } from './log.js';
import { debianMirror, SUITE } from './mirror.js';
import { runOk } from './proc.js';

/** Packages of the base (haproxy and keepalived are NOT here: the product's playbooks install them). */
export const BASE_INCLUDE = [
  'systemd',
  'systemd-sysv',
  'dbus',
  'openssh-server',
  'iproute2',
  'python3',
  'sudo',
  'ca-certificates',
  'procps',
  'iputils-ping',
  'netbase',
];

/** Runs inside the base (chroot) once, after debootstrap. Idempotent. */
export const CUSTOMIZE_SCRIPT = `set -e
# every host gets its own host keys at first boot (written by lbrun lab), never shared ones
rm -f /etc/ssh/ssh_host_*
cat > /etc/ssh/sshd_config.d/lbrun-lab.conf <<'X'
# lbrun lab
HostKey /etc/ssh/ssh_host_ed25519_key
PermitRootLogin prohibit-password
PasswordAuthentication no
UseDNS no
X
# a non-root user whose sudo asks for a password (.lab/become_password), to test become
id lbrun >/dev/null 2>&1 || useradd --create-home --shell /bin/bash --user-group lbrun
printf '%s\\n' 'lbrun ALL=(ALL:ALL) ALL' > /etc/sudoers.d/lbrun
chmod 0440 /etc/sudoers.d/lbrun
# the local repository at /srv/repo is the only apt source
rm -f /etc/apt/sources.list /etc/apt/sources.list.d/*
echo 'deb [trusted=yes] file:/srv/repo ./' > /etc/apt/sources.list.d/lbrun-lab.list
mkdir -p /srv/repo /var/lib/apt/lists/partial
apt-get clean
find /var/lib/apt/lists -maxdepth 1 -type f -delete
# per-host identity is written at first boot
: > /etc/machine-id
rm -f /var/lib/dbus/machine-id
ln -s /etc/machine-id /var/lib/dbus/machine-id
echo localhost > /etc/hostname
printf '# lbrun lab: no DNS inside the lab\\n' > /etc/resolv.conf
# a container: no consoles to log in on
for u in getty@tty1.service serial-getty@ttyS0.service console-getty.service; do
  ln -sf /dev/null /etc/systemd/system/$u
done
`;

const CACHE_VERSION = '1';

export interface Base {
  dir: string;
  hash: string;
}

function debootstrapHash(): string {
  return sha('debootstrap', CACHE_VERSION, SUITE, 'minbase', BASE_INCLUDE.join(',')).slice(0, 12);
}

/** Hash of the whole base recipe (names the base directory). */
export function baseHash(): string {
  return sha('base', debootstrapHash(), CUSTOMIZE_SCRIPT).slice(0, 12);
}

export function baseDir(hash = baseHash()): string {
  return path.join(CACHE_DIR, `base-${hash}`);
}

/** Make sure the base for the current recipe exists; build what is missing. */
export async function ensureBase(): Promise<Base> {
  const hash = baseHash();
  const dir = baseDir(hash);
  if (await exists(path.join(dir, '.lbrun-base-ok'))) return { dir, hash };

  const pristine = path.join(CACHE_DIR, `debootstrap-${debootstrapHash()}`);
  if (!(await exists(path.join(pristine, '.lbrun-debootstrap-ok')))) {
    await debootstrap(pristine);
  }
  progress(`customise base ${path.basename(dir)}...`);
  const tmp = `${dir}.tmp`;
  await rmrf(tmp);
  await runOk('cp', ['-a', '--reflink=auto', pristine, tmp]);
  await rmrf(path.join(tmp, '.lbrun-debootstrap-ok'));
  await runOk('chroot', [tmp, '/bin/sh', '-c', CUSTOMIZE_SCRIPT], {
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C', DEBIAN_FRONTEND: 'noninteractive' },
  });
  await writeAtomic(path.join(tmp, '.lbrun-base-ok'), `${hash}\n`);
  await rmrf(dir);
  await rename(tmp, dir);
  return { dir, hash };
}

async function debootstrap(target: string): Promise<void> {
  const mirror = debianMirror();
  progress(`debootstrap base (first time, ~2 min) from ${mirror}...`);
  const tmp = `${target}.tmp`;
  await rmrf(tmp);
  const t0 = Date.now();
  let last = 0;
  await runOk(
    'debootstrap',
    ['--variant=minbase', `--include=${BASE_INCLUDE.join(',')}`, SUITE, tmp, mirror],
    {
      env: { ...process.env, LC_ALL: 'C', DEBIAN_FRONTEND: 'noninteractive' },
      timeoutMs: 30 * 60_000,
      onLine: (line) => {
        // show phases, not one line per package (unless LBRUN_LAB_VERBOSE=1)
        if (verbose()) return progress(`  ${line}`);
        const phase = /^I: (Retrieving Release|Resolving dependencies of (base|required)|Checking component|Retrieving packages|Extracting base system|Installing core packages|Unpacking the base system|Configuring the base system|Base system installed)/.exec(line);
        if (phase || Date.now() - last > 20_000) {
          last = Date.now();
          progress(`  ${line.replace(/^I: /, '')} (${Math.round((Date.now() - t0) / 1000)} s)`);
        }
      },
    },
  );
  // the downloaded .debs and package lists are not needed any more (~150 MB)
  await runOk('find', [path.join(tmp, 'var/cache/apt/archives'), '-maxdepth', '1', '-name', '*.deb', '-delete']);
  await runOk('find', [path.join(tmp, 'var/lib/apt/lists'), '-maxdepth', '1', '-type', 'f', '-delete']);
  await writeAtomic(path.join(tmp, '.lbrun-debootstrap-ok'), `${SUITE} ${BASE_INCLUDE.join(',')}\n`);
  await rmrf(target);
  await rename(tmp, target);
  progress(`debootstrap done in ${Math.round((Date.now() - t0) / 1000)} s`);
}

/** Remove cached bases and debootstraps other than the current ones, except those in `keep`. */
export async function pruneBases(keep: Set<string>): Promise<void> {
  const current = new Set([`base-${baseHash()}`, `debootstrap-${debootstrapHash()}`]);
  let names: string[];
  try {
    names = await readdir(CACHE_DIR);
  } catch {
    return;
  }
  for (const n of names) {
    if (!/^(base|debootstrap)-[0-9a-f]{12}(\.tmp)?$/.test(n)) continue;
    if (current.has(n) || keep.has(path.join(CACHE_DIR, n))) continue;
    await rmrf(path.join(CACHE_DIR, n));
  }
}
