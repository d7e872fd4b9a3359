/**
 * The real config checkers, run on the controller: `haproxy -c -f` and keepalived's config test.
 * keepalived's test refuses a config whose interface does not exist, so it runs in a fresh network
 * namespace (unshare -n) holding an interface of that name (a veth: no kernel module needed).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const KEEPALIVED_TEST_WRAPPER = fileURLToPath(
  new URL('../../roles/keepalived/files/lbrun-keepalived-config-test', import.meta.url),
);

export interface CheckResult {
  code: number;
  output: string;
}

function result(r: ReturnType<typeof spawnSync>): CheckResult {
  if (r.error) throw r.error;
  return { code: r.status ?? 128 + 15, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

export function haproxyCheck(file: string): CheckResult {
  return result(spawnSync('haproxy', ['-c', '-f', file], { encoding: 'utf8', timeout: 30_000 }));
}

/**
 * keepalived's config test of `file` in a namespace with interface `iface`. `command` is
 * ['keepalived', '-t', '-f'] (the raw test) or [KEEPALIVED_TEST_WRAPPER] (what the role runs).
 */
export function keepalivedCheck(file: string, iface: string, command: string[] = ['keepalived', '-t', '-f']): CheckResult {
  const script = 'ip link add "$1" type veth peer name lbrunpeer0 && ip link set "$1" up && shift && exec "$@"';
  return result(
    spawnSync('unshare', ['-n', 'sh', '-c', script, 'sh', iface, ...command, file], { encoding: 'utf8', timeout: 30_000 }),
  );
}
