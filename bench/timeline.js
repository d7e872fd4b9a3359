#!/usr/bin/env node
/**
 * Where an lbrun run spends its time: runs `node bin/lbrun.js ARGS --json` and prints each event
 * with the milliseconds since the process was spawned (start-up shows as the time of run_start).
 *   node bench/timeline.js playbooks/site.yaml -i inventory/lab.yaml [--check]
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './lib/tools.js';

const t0 = performance.now();
const child = spawn(process.execPath, [join(ROOT, 'bin', 'lbrun.js'), ...process.argv.slice(2), '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
let buf = '';
const ms = () => String(Math.round(performance.now() - t0)).padStart(6);
child.stdout.setEncoding('utf8').on('data', (d) => {
  buf += d;
  for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
    const e = JSON.parse(buf.slice(0, i));
    buf = buf.slice(i + 1);
    if (e.event === 'task_start') continue;
    const what = [e.host, e.task, e.status, e.duration_ms === undefined ? '' : `${e.duration_ms} ms`].filter((x) => x !== undefined && x !== '');
    process.stdout.write(`${ms()}  ${e.event.padEnd(12)} ${what.join('  ')}${e.stats ? `  ${JSON.stringify(e.stats)}` : ''}\n`);
  }
});
child.on('close', (code) => {
  process.stdout.write(`${ms()}  exit ${code}\n`);
  process.exitCode = code ?? 1;
});
