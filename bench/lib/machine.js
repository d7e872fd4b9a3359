/** The machine a benchmark ran on: nproc, memory, CPU model, load, versions, date. */
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';
import { timed } from './proc.js';

export async function machineInfo() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown';
  const nproc = (await timed('nproc', [])).stdout.trim();
  const free = (await timed('free', ['-h'])).stdout.trimEnd();
  const os = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? 'unknown';
  return {
    date: new Date().toISOString(),
    nproc,
    cpu: model,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB total, ${(freemem() / 2 ** 30).toFixed(1)} GiB free`,
    free,
    os,
    node: process.version,
  };
}

export function load() {
  return loadavg().map((x) => x.toFixed(2)).join(' ');
}
