/**
 * A FAKE Proxmox VE API server, for tests only. It is not Proxmox: it keeps a few LXC containers in
 * memory and answers the endpoints proxmox_lxc uses the way the PVE API documentation describes them
 * (https://pve.proxmox.com/pve-docs/api-viewer/, pvesh(1), pct.conf(5)). It listens on 127.0.0.1 only.
 *
 * What it follows from the documentation:
 * - /api2/json prefix, answers wrapped in {"data": ...};
 * - API token auth: `Authorization: PVEAPIToken=USER@REALM!TOKENID=SECRET`;
 * - POST/PUT parameters form-encoded, GET/DELETE in the query string;
 * - parameter errors: HTTP 400 "Parameter verification failed." with {"errors":{param: msg},"data":null};
 *   other errors: the message as the HTTP reason phrase (500 "CT 100 already exists",
 *   403 "Permission check failed (/vms/100, VM.Allocate)"), body {"data":null};
 * - long operations return a UPID "UPID:node:pid:pstart:starttime:type:id:user:" and run as a task;
 *   GET /nodes/{node}/tasks/{upid}/status says status running|stopped and, when stopped, exitstatus
 *   "OK" or the error;
 * - config keys as pct.conf stores them: rootfs "STORAGE:vm-ID-disk-0,size=NG", net0 with a generated
 *   hwaddr and type=veth, tags ";"-separated, booleans 1/0; ostemplate and ssh-public-keys are not kept
 *   in the config; unprivileged cannot be changed after creation.
 * Simplifications (it is a fake): one storage namespace, tasks finish after `taskMs`, no locking
 * beyond what the tests need, privileges are denied by name through `deny`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface FakeContainer {
  vmid: number;
  node: string;
  status: 'running' | 'stopped';
  config: Record<string, string | number>;
  /** What ssh-public-keys gave at creation (PVE writes it to /root/.ssh/authorized_keys). */
  authorizedKeys?: string;
}

export interface LoggedRequest {
  method: string;
  /** Path below /api2/json, decoded. */
  path: string;
  params: Record<string, string>;
  status: number;
  authorization?: string;
}

interface FakeTask {
  upid: string;
  node: string;
  type: string;
  id: string;
  user: string;
  status: 'running' | 'stopped';
  exitstatus?: string;
  starttime: number;
  pid: number;
}

export interface FakePveOptions {
  cert: Buffer;
  key: Buffer;
  tokenId: string;
  tokenSecret: string;
  nodes?: string[];
  /** Volumes that exist for ostemplate. */
  templates?: string[];
  /** How long a task runs (ms). */
  taskMs?: number;
}

class HttpError extends Error {
  constructor(readonly status: number, readonly reason: string, readonly errors?: Record<string, string>) {
    super(reason);
  }
}

const paramError = (errors: Record<string, string>) => new HttpError(400, 'Parameter verification failed.', errors);
const NOT_IN_SCHEMA = 'property is not defined in schema and the schema does not allow additional properties';

/** Parameters of POST /nodes/{node}/lxc that the fake knows (a subset of the API viewer's list). */
const CREATE_KEYS = new Set(['vmid', 'hostname', 'ostemplate', 'cores', 'memory', 'swap', 'rootfs', 'storage', 'net0',
  'nameserver', 'ssh-public-keys', 'unprivileged', 'onboot', 'tags', 'start', 'arch', 'ostype', 'password']);
const CONFIG_KEYS = new Set(['hostname', 'cores', 'memory', 'swap', 'net0', 'nameserver', 'onboot', 'tags', 'unprivileged',
  'delete', 'digest', 'description']);
const NET_KEYS = new Set(['name', 'bridge', 'hwaddr', 'ip', 'gw', 'type', 'firewall', 'mtu', 'tag', 'rate', 'ip6', 'gw6']);
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export class FakePve {
  readonly containers = new Map<number, FakeContainer>();
  readonly tasks = new Map<string, FakeTask>();
  readonly requests: LoggedRequest[] = [];
  /** Privileges the token lacks (e.g. "VM.Allocate"): requests needing them get 403. */
  readonly deny = new Set<string>();
  /** Task type (vzcreate, vzstart, ...) -> exit status the next task of that type ends with. */
  readonly failNextTask = new Map<string, string>();
  private server?: Server;
  private pid = 4000;
  private macs = 0;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly opts: FakePveOptions) {}

  /** Start listening on 127.0.0.1; returns the api_url (https://127.0.0.1:PORT). */
  async start(): Promise<string> {
    this.server = createServer({ cert: this.opts.cert, key: this.opts.key }, (req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Requests that change something (POST/PUT/DELETE). */
  writes(): LoggedRequest[] {
    return this.requests.filter((r) => r.method !== 'GET');
  }

  private get nodes(): string[] {
    return this.opts.nodes ?? ['pve'];
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const method = req.method ?? 'GET';
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const params: Record<string, string> = {};
    const source = method === 'POST' || method === 'PUT' ? new URLSearchParams(body) : url.searchParams;
    for (const [k, v] of source) params[k] = v;
    const path = decodeURIComponent(url.pathname.replace(/^\/api2\/json/, ''));
    const entry: LoggedRequest = { method, path, params, status: 0, authorization: req.headers.authorization };
    this.requests.push(entry);
    let status = 200;
    let reason = 'OK';
    let payload: unknown;
    try {
      const user = this.authenticate(req.headers.authorization);
      payload = { data: this.route(method, path, params, user) ?? null };
    } catch (err) {
      const e = err instanceof HttpError ? err : new HttpError(500, (err as Error).message);
      status = e.status;
      reason = e.reason;
      payload = e.errors ? { errors: e.errors, data: null } : { data: null };
    }
    entry.status = status;
    const text = JSON.stringify(payload);
    res.writeHead(status, reason, { 'Content-Type': 'application/json;charset=UTF-8', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  private authenticate(header: string | undefined): string {
    if (!header) throw new HttpError(401, 'No ticket');
    const m = /^PVEAPIToken=([^=]+)=(.+)$/.exec(header);
    if (!m || m[1] !== this.opts.tokenId || m[2] !== this.opts.tokenSecret) throw new HttpError(401, 'authentication failure');
    return m[1];
  }

  private need(path: string, privilege: string): void {
    if (this.deny.has(privilege)) throw new HttpError(403, `Permission check failed (${path}, ${privilege})`);
  }

  private route(method: string, path: string, p: Record<string, string>, user: string): unknown {
    const seg = path.split('/').filter(Boolean);
    const is = (m: string, pattern: string) => {
      if (m !== method) return false;
      const pat = pattern.split('/').filter(Boolean);
      return pat.length === seg.length && pat.every((x, i) => x.startsWith(':') || x === seg[i]);
    };
    if (is('GET', '/version')) return { version: '8.2.4', release: '8.2', repoid: 'fake0000' };
    if (is('GET', '/cluster/nextid')) {
      this.need('/vms', 'VM.Allocate');
      let id = 100;
      while (this.containers.has(id)) id++;
      return String(id);
    }
    if (seg[0] !== 'nodes' || seg.length < 3) throw new HttpError(501, `Method '${method} /${seg.join('/')}' not implemented`);
    const node = seg[1];
    if (!this.nodes.includes(node)) throw paramError({ node: `no such cluster node '${node}'` });
    if (is('GET', '/nodes/:n/tasks/:upid/status')) {
      const t = this.tasks.get(seg[3]);
      if (!t) throw new HttpError(500, `no such task`);
      const [, , pid, pstart, starttime] = t.upid.split(':');
      return { upid: t.upid, node: t.node, pid: parseInt(pid, 16), pstart: parseInt(pstart, 16), starttime: parseInt(starttime, 16),
        type: t.type, id: t.id, user: t.user, status: t.status, ...(t.status === 'stopped' ? { exitstatus: t.exitstatus } : {}) };
    }
    if (seg[2] !== 'lxc') throw new HttpError(501, `Method '${method} /${seg.join('/')}' not implemented`);
    if (is('GET', '/nodes/:n/lxc')) {
      return [...this.containers.values()].filter((c) => c.node === node).map((c) => ({
        vmid: c.vmid, name: c.config.hostname, status: c.status, type: 'lxc',
        cpus: Number(c.config.cores ?? 1), maxmem: Number(c.config.memory ?? 512) * 1024 * 1024, tags: c.config.tags,
      }));
    }
    if (is('POST', '/nodes/:n/lxc')) return this.create(node, p, user);

    const vmid = Number(seg[3]);
    const ctPath = `/vms/${vmid}`;
    const ct = this.containers.get(vmid);
    const must = (): FakeContainer => {
      if (!ct || ct.node !== node) throw new HttpError(500, `Configuration file 'nodes/${node}/lxc/${seg[3]}.conf' does not exist`);
      return ct;
    };
    if (is('GET', '/nodes/:n/lxc/:vmid/config')) {
      this.need(ctPath, 'VM.Audit');
      return { ...must().config, digest: 'f'.repeat(40) };
    }
    if (is('PUT', '/nodes/:n/lxc/:vmid/config')) {
      const c = must();
      this.need(ctPath, 'VM.Config.Options');
      this.updateConfig(c, p);
      return null;
    }
    if (is('PUT', '/nodes/:n/lxc/:vmid/resize')) {
      const c = must();
      this.need(ctPath, 'VM.Config.Disk');
      return this.resize(c, p, user);
    }
    if (is('GET', '/nodes/:n/lxc/:vmid/status/current')) {
      const c = must();
      this.need(ctPath, 'VM.Audit');
      return { vmid, name: c.config.hostname, status: c.status, type: 'lxc' };
    }
    if (method === 'POST' && seg.length === 6 && seg[4] === 'status') {
      const c = must();
      this.need(ctPath, 'VM.PowerMgmt');
      const action = seg[5];
      if (action === 'start') {
        if (c.status === 'running') throw new HttpError(500, `CT ${vmid} already running`);
        return this.task(node, 'vzstart', String(vmid), user, () => (c.status = 'running'));
      }
      if (action === 'stop' || action === 'shutdown') {
        if (c.status !== 'running') throw new HttpError(500, `CT ${vmid} not running`);
        return this.task(node, action === 'stop' ? 'vzstop' : 'vzshutdown', String(vmid), user, () => (c.status = 'stopped'));
      }
      throw new HttpError(501, `Method '${method} ${path}' not implemented`);
    }
    if (is('DELETE', '/nodes/:n/lxc/:vmid')) {
      const c = must();
      this.need(ctPath, 'VM.Allocate');
      if (c.status === 'running') throw new HttpError(500, `CT ${vmid} is running - destroy failed`);
      return this.task(node, 'vzdestroy', String(vmid), user, () => this.containers.delete(vmid));
    }
    throw new HttpError(501, `Method '${method} ${path}' not implemented`);
  }

  private create(node: string, p: Record<string, string>, user: string): string {
    const errors: Record<string, string> = {};
    for (const k of Object.keys(p)) if (!CREATE_KEYS.has(k)) errors[k] = NOT_IN_SCHEMA;
    const vmid = Number(p.vmid);
    if (p.vmid === undefined) errors.vmid = 'property is missing and it is not optional';
    else if (!/^\d+$/.test(p.vmid) || vmid < 100) errors.vmid = 'invalid format - value does not look like a valid VM ID';
    if (p.ostemplate === undefined) errors.ostemplate = 'property is missing and it is not optional';
    if (p.net0 !== undefined) {
      const bad = checkNet(p.net0);
      if (bad) errors.net0 = bad;
    }
    for (const k of ['cores', 'memory', 'swap']) if (p[k] !== undefined && !/^\d+$/.test(p[k])) errors[k] = `type check ('integer') failed - got '${p[k]}'`;
    if (Object.keys(errors).length) throw paramError(errors);
    this.need(`/vms/${vmid}`, 'VM.Allocate');
    if (this.containers.has(vmid)) throw new HttpError(500, `CT ${vmid} already exists on node '${this.containers.get(vmid)!.node}'`);

    const storage = p.rootfs ? p.rootfs.split(':')[0] : (p.storage ?? 'local');
    const sizeGb = p.rootfs ? Number(p.rootfs.split(':')[1]) : 4;
    this.need(`/storage/${storage}`, 'Datastore.AllocateSpace');
    const config: Record<string, string | number> = {
      arch: 'amd64', ostype: 'ubuntu', hostname: p.hostname ?? `CT${vmid}`,
      rootfs: `${storage}:vm-${vmid}-disk-0,size=${sizeGb}G`,
    };
    for (const k of ['cores', 'memory', 'swap']) if (p[k] !== undefined) config[k] = Number(p[k]);
    for (const k of ['onboot', 'unprivileged']) if (p[k] !== undefined) config[k] = Number(p[k]);
    if (p.nameserver) config.nameserver = p.nameserver;
    if (p.tags) config.tags = p.tags.split(/[;, ]+/).filter(Boolean).sort().join(';');
    if (p.net0) config.net0 = this.withMac(p.net0);
    const missingTemplate = !(this.opts.templates ?? []).includes(p.ostemplate);
    return this.task(node, 'vzcreate', String(vmid), user, () => {
      this.containers.set(vmid, { vmid, node, status: p.start === '1' ? 'running' : 'stopped', config, authorizedKeys: p['ssh-public-keys'] });
    }, missingTemplate ? `unable to create CT ${vmid} - volume '${p.ostemplate}' does not exist` : undefined);
  }

  private updateConfig(c: FakeContainer, p: Record<string, string>): void {
    const errors: Record<string, string> = {};
    for (const k of Object.keys(p)) if (!CONFIG_KEYS.has(k)) errors[k] = NOT_IN_SCHEMA;
    if (p.net0 !== undefined) {
      const bad = checkNet(p.net0);
      if (bad) errors.net0 = bad;
    }
    if (Object.keys(errors).length) throw paramError(errors);
    if (p.unprivileged !== undefined && Number(p.unprivileged) !== Number(c.config.unprivileged ?? 0)) {
      throw new HttpError(500, `unable to modify read-only option: 'unprivileged'`);
    }
    for (const k of (p.delete ?? '').split(/[,; ]+/).filter(Boolean)) delete c.config[k];
    for (const [k, v] of Object.entries(p)) {
      if (k === 'delete' || k === 'digest') continue;
      if (['cores', 'memory', 'swap', 'onboot', 'unprivileged'].includes(k)) c.config[k] = Number(v);
      else if (k === 'tags') c.config.tags = v.split(/[;, ]+/).filter(Boolean).sort().join(';');
      else if (k === 'net0') c.config.net0 = this.withMac(v);
      else c.config[k] = v;
    }
  }

  private resize(c: FakeContainer, p: Record<string, string>, user: string): string {
    if (p.disk !== 'rootfs') throw paramError({ disk: `value '${p.disk}' does not have a value in the enumeration 'rootfs, mp0, ...'` });
    const m = /^(\+)?(\d+)G$/.exec(p.size ?? '');
    if (!m) throw paramError({ size: `value does not match the regex pattern` });
    const current = String(c.config.rootfs);
    const have = Number(/size=(\d+)G/.exec(current)?.[1] ?? 0);
    const want = m[1] ? have + Number(m[2]) : Number(m[2]);
    if (want < have) throw new HttpError(500, 'unable to shrink disk size');
    return this.task(c.node, 'resize', String(c.vmid), user, () => (c.config.rootfs = current.replace(/size=\d+G/, `size=${want}G`)));
  }

  /** net0 as PVE stores it: a generated hwaddr and type=veth unless given. */
  private withMac(net: string): string {
    const props = Object.fromEntries(net.split(',').map((kv) => kv.split('=') as [string, string]));
    props.hwaddr ??= `BC:24:11:00:00:${(++this.macs).toString(16).padStart(2, '0').toUpperCase()}`;
    props.type ??= 'veth';
    return Object.entries(props).map(([k, v]) => `${k}=${v}`).join(',');
  }

  private task(node: string, type: string, id: string, user: string, onOk: () => void, error?: string): string {
    const starttime = Math.floor(Date.now() / 1000);
    const pid = ++this.pid;
    const hex = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');
    const upid = `UPID:${node}:${hex(pid)}:${hex(pid * 7)}:${hex(starttime)}:${type}:${id}:${user}:`;
    const t: FakeTask = { upid, node, type, id, user, status: 'running', starttime, pid };
    this.tasks.set(upid, t);
    const injected = this.failNextTask.get(type);
    this.failNextTask.delete(type);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const failure = injected ?? error;
      if (!failure) onOk();
      t.status = 'stopped';
      t.exitstatus = failure ?? 'OK';
    }, this.opts.taskMs ?? 150);
    this.timers.add(timer);
    return upid;
  }
}

function checkNet(net: string): string | undefined {
  const props: Record<string, string> = {};
  for (const kv of net.split(',')) {
    const [k, v] = kv.split('=');
    if (!NET_KEYS.has(k) || v === undefined) return `invalid format - format error\nnet0.${k}: property is not defined in schema`;
    props[k] = v;
  }
  if (!props.name) return 'invalid format - format error\nnet0.name: property is missing and it is not optional';
  if (props.ip && !['dhcp', 'manual'].includes(props.ip)) {
    const [addr, prefix] = props.ip.split('/');
    if (!IPV4.test(addr) || prefix === undefined || Number(prefix) > 32) return 'invalid format - format error\nnet0.ip: invalid format - invalid CIDR';
  }
  if (props.gw && !IPV4.test(props.gw)) return 'invalid format - format error\nnet0.gw: invalid format - value does not look like a valid IPv4 address';
  return undefined;
}
