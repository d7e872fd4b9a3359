#!/usr/bin/env node
/**
 * The network part of a run's floor, measured (bench/lib/floor.js adds Node's start): one SSH
 * handshake per host, all in parallel, then ROUNDS exec round trips per host (the least a tool
 * needs: one per task), the hosts in parallel, or one host after the other (`serial`). Prints
 * {"loadMs", "networkMs"}: the time to this script's first line (Node and ssh2 loaded), and the
 * handshakes and round trips.
 * Usage: node floor-probe.js HOSTS_JSON ROUNDS [serial]
 *   HOSTS_JSON: [{ "address", "port", "user", "privateKeyFile" }]
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import ssh2 from 'ssh2';

const loadMs = performance.now();

const [hostsJson, roundsArg, mode] = process.argv.slice(2);
const hosts = JSON.parse(hostsJson);
const rounds = Number(roundsArg);

function connect(h) {
  return new Promise((resolve, reject) => {
    const c = new ssh2.Client();
    c.once('ready', () => resolve(c)).once('error', reject);
    c.connect({
      host: h.address,
      port: h.port,
      username: h.user,
      privateKey: readFileSync(h.privateKeyFile),
      // as lbrun connects: the key only (no "none" attempt first), Nagle off
      authHandler: ['publickey'],
      hostVerifier: () => true,
      readyTimeout: 20_000,
    });
    c.setNoDelay(true);
  });
}

function exec(c) {
  return new Promise((resolve, reject) => {
    c.exec('true', (err, stream) => {
      if (err) return reject(err);
      stream.on('close', resolve).on('data', () => {}).stderr.on('data', () => {});
    });
  });
}

async function roundsOn(c) {
  for (let i = 0; i < rounds; i++) await exec(c);
}

const conns = await Promise.all(hosts.map(connect));
if (mode === 'serial') for (const c of conns) await roundsOn(c);
else await Promise.all(conns.map(roundsOn));
const networkMs = performance.now() - loadMs;
for (const c of conns) c.end();
process.stdout.write(`${JSON.stringify({ loadMs, networkMs })}\n`);
