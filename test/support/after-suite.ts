/**
 * Run by tap after the whole suite (.taprc `after`): leave the lab as the README's commands leave
 * it. The lab tests converge with a VRRP password (VRRPv2); `lbrun playbooks/site.yaml -i
 * inventory/lab.yaml` without one wants VRRPv3, a change of the VRRP transport that the keepalived
 * role refuses while its gate is on. So the lab goes back to the operator's transport here, with
 * the gate off (the one way to roll such a change). Only after `npm test` (not a lone `npx tap FILE`),
 * and only when the lab is up.
 */
import { labStatus } from '../../src/lab/status.js';
import { holdLab } from '../lab/helpers.js';
import { runCli } from './run-cli.js';

if (process.env.npm_lifecycle_event === 'test' && process.getuid?.() === 0 && (await labStatus()).up) {
  await holdLab();
  const r = await runCli(['playbooks/site.yaml', '-i', 'inventory/lab.yaml', '-e', 'keepalived_gate=false'], {
    env: { LBRUN_VRRP_AUTH_PASS: undefined },
    timeoutMs: 10 * 60_000,
  });
  if (r.code !== 0) {
    console.error(`after the suite: putting the lab back on site.yaml's own config failed (exit ${r.code})\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`);
    process.exit(1);
  }
  console.log(`# after the suite: the lab is back on site.yaml's own config (${(r.durationMs / 1000).toFixed(1)} s)`);
}
