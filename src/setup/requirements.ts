/**
 * What lbrun needs installed on the controller, as Debian packages: the one list that `lbrun lab
 * up`, `npm test` (its pretest step), `npm run bench` and .ci/deps.sh check and install from.
 * A package counts as present when every command it provides is found on PATH (what spawn will
 * use), or, for a package without a command, when its file exists.
 */

export interface Requirement {
  /** the Debian/Ubuntu package */
  package: string;
  /** commands looked up on PATH; an absolute path is a file that must exist */
  provides: string[];
  /** why lbrun needs it, in a few words (shown when it is missing or installed) */
  why: string;
}

/** What src/lab runs on the controller (src/lab/*.ts spawn these, and the hosts' boot script). */
export const LAB_REQUIREMENTS: readonly Requirement[] = [
  { package: 'debootstrap', provides: ['debootstrap'], why: "builds the lab hosts' Debian base" },
  { package: 'wget', provides: ['wget'], why: 'debootstrap downloads with it' },
  { package: 'ca-certificates', provides: ['/etc/ssl/certs/ca-certificates.crt'], why: 'debootstrap and apt over https mirrors' },
  { package: 'dpkg-dev', provides: ['dpkg-scanpackages'], why: "indexes the lab's local package repository" },
  { package: 'apt', provides: ['apt-get'], why: "downloads the lab repository's packages" },
  { package: 'openssh-client', provides: ['ssh-keygen'], why: "makes the lab's SSH keys" },
  { package: 'openssl', provides: ['openssl'], why: "the stand-in API servers' TLS certificates and the become password's hash" },
  { package: 'iproute2', provides: ['ip'], why: "the lab's bridge, links and addresses" },
  { package: 'util-linux', provides: ['unshare', 'nsenter', 'flock', 'pivot_root'], why: "the hosts' namespaces and the lab lock" },
  { package: 'mount', provides: ['mount', 'umount'], why: "the hosts' root filesystems" },
  { package: 'coreutils', provides: ['cp', 'mkdir', 'rm', 'chroot', 'mknod'], why: 'file and base preparation' },
  { package: 'findutils', provides: ['find'], why: 'trims the cached base' },
];

/** What the test suite runs besides the lab (test/support, test/roles, test/modules, test/security). */
export const TEST_REQUIREMENTS: readonly Requirement[] = [
  ...LAB_REQUIREMENTS,
  { package: 'openssh-server', provides: ['/usr/sbin/sshd'], why: 'the connection and module tests run a real sshd on loopback' },
  { package: 'sudo', provides: ['sudo'], why: 'the become tests' },
  { package: 'passwd', provides: ['useradd', 'userdel', 'usermod', 'groupdel', 'chpasswd'], why: "the test users (become, the user module)" },
  { package: 'haproxy', provides: ['haproxy'], why: 'the role tests check the rendered config with haproxy -c' },
  { package: 'keepalived', provides: ['keepalived'], why: 'the role tests check the rendered config with keepalived -t' },
  { package: 'curl', provides: ['curl'], why: "keepalived's health check (role tests) and the stand-in API servers (lab tests)" },
  { package: 'psmisc', provides: ['killall'], why: "the role tests' killall -0 health check" },
  { package: 'procps', provides: ['ps', 'pgrep', 'sysctl'], why: 'tests look for processes left behind and read sysctls' },
  { package: 'strace', provides: ['strace'], why: 'the secrets test records every exec on the controller and the lab nodes (test/security/lab-exec-trace.test.ts)' },
  { package: 'ansible-core', provides: ['ansible-playbook'], why: 'the differential module tests, the filter and include comparisons (test/differential, test/vars, test/playbook)' },
  {
    package: 'ansible',
    provides: ['/usr/lib/python3/dist-packages/ansible_collections/ansible/posix/plugins/modules/sysctl.py'],
    why: "ansible.posix's sysctl for the differential module tests (the same package brings ansible.utils.ipaddr)",
  },
  { package: 'python3-netaddr', provides: ['/usr/lib/python3/dist-packages/netaddr/__init__.py'], why: 'ansible.utils.ipaddr (the filter comparison) needs netaddr' },
];

/** What `npm run bench` needs besides the lab and the tests' sshd. */
export const BENCH_REQUIREMENTS: readonly Requirement[] = [
  ...LAB_REQUIREMENTS,
  { package: 'openssh-server', provides: ['/usr/sbin/sshd'], why: "scenario B's loopback hosts" },
  { package: 'ansible-core', provides: ['ansible-playbook'], why: 'the tool the bench compares against' },
  { package: 'time', provides: ['/usr/bin/time'], why: 'peak memory of each run' },
];

export const REQUIREMENT_GROUPS = {
  lab: LAB_REQUIREMENTS,
  tests: TEST_REQUIREMENTS,
  bench: BENCH_REQUIREMENTS,
} as const;

export type RequirementGroup = keyof typeof REQUIREMENT_GROUPS;

/** The package that provides a command (or file), from all the lists; undefined when unknown. */
export function packageOf(command: string): string | undefined {
  const name = (p: string): string => p.slice(p.lastIndexOf('/') + 1);
  for (const list of Object.values(REQUIREMENT_GROUPS)) {
    const r = list.find((q) => q.provides.some((p) => name(p) === name(command)));
    if (r) return r.package;
  }
  return undefined;
}
