/**
 * Arguments of the `proxmox_lxc` module: the JSON schema (checked before any host is contacted)
 * and the defaults applied after it.
 */

export interface Net0Args {
  /** Bridge on the PVE node (default vmbr0). */
  bridge?: string;
  /** The container's IPv4 address with prefix, e.g. 10.213.0.11/24. */
  address: string;
  gateway?: string;
}

export type LxcState = 'present' | 'started' | 'stopped' | 'absent';

export interface ProxmoxLxcArgs {
  driver?: 'proxmox' | 'lab';
  state?: LxcState;
  api_url?: string;
  api_token_id?: string;
  api_token_secret?: string;
  ca_file?: string;
  validate_certs?: boolean;
  node?: string;
  vmid?: number;
  hostname: string;
  ostemplate?: string;
  /** Storage of the root disk (default local-lvm). */
  storage?: string;
  cores?: number;
  /** MB */
  memory?: number;
  /** MB */
  swap?: number;
  /** GB */
  rootfs_size?: number;
  net0?: Net0Args;
  /** One address or several; "" or [] removes the setting. */
  nameserver?: string | string[];
  ssh_public_keys?: string | string[];
  unprivileged?: boolean;
  onboot?: boolean;
  tags?: string[];
  wait_for_ssh?: boolean;
  /** Seconds (default 120). */
  wait_for_ssh_timeout?: number;
  /** Seconds to wait for one Proxmox task (default 300, or the task's `timeout`). */
  task_timeout?: number;
}

/** ProxmoxLxcArgs with the defaults filled in. */
export type ResolvedArgs = ProxmoxLxcArgs & {
  driver: 'proxmox' | 'lab';
  state: LxcState;
  validate_certs: boolean;
  storage: string;
  wait_for_ssh: boolean;
  wait_for_ssh_timeout: number;
};

export function resolveArgs(args: ProxmoxLxcArgs): ResolvedArgs {
  const state = args.state ?? 'present';
  return {
    ...args,
    driver: args.driver ?? 'proxmox',
    state,
    validate_certs: args.validate_certs ?? true,
    storage: args.storage ?? 'local-lvm',
    wait_for_ssh: args.wait_for_ssh ?? state === 'started',
    wait_for_ssh_timeout: args.wait_for_ssh_timeout ?? 120,
  };
}

/** The container's IPv4 address without its prefix, if net0 gives one. */
export function containerAddress(args: ProxmoxLxcArgs): string | undefined {
  return args.net0?.address.split('/')[0];
}

const ipv4 = '(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';

export const proxmoxLxcSchema: Record<string, unknown> = {
  type: 'object',
  additionalProperties: false,
  required: ['hostname'],
  properties: {
    driver: { enum: ['proxmox', 'lab'] },
    state: { enum: ['present', 'started', 'stopped', 'absent'] },
    api_url: { type: 'string', pattern: '^https://[^/\\s]+(:[0-9]+)?(/api2/json)?/?$' },
    api_token_id: { type: 'string', pattern: '^[^@!\\s]+@[^@!\\s]+![A-Za-z][A-Za-z0-9._-]*$' },
    // may render empty offline (from an unset environment variable): plan then fails clearly
    api_token_secret: { type: 'string' },
    ca_file: { type: 'string', minLength: 1 },
    validate_certs: { type: 'boolean' },
    node: { type: 'string', pattern: '^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$' },
    vmid: { type: 'integer', minimum: 100, maximum: 999999999 },
    hostname: { type: 'string', pattern: '^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9-]+)*$' },
    ostemplate: { type: 'string', minLength: 1 },
    storage: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_.-]*$' },
    cores: { type: 'integer', minimum: 1, maximum: 8192 },
    memory: { type: 'integer', minimum: 16 },
    swap: { type: 'integer', minimum: 0 },
    rootfs_size: { type: 'integer', minimum: 1 },
    net0: {
      type: 'object',
      additionalProperties: false,
      required: ['address'],
      properties: {
        bridge: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$' },
        address: { type: 'string', pattern: `^${ipv4}/([0-9]|[12][0-9]|3[0-2])$` },
        gateway: { type: 'string', pattern: `^${ipv4}$` },
      },
    },
    nameserver: {
      anyOf: [
        { type: 'string' },
        { type: 'array', items: { type: 'string', minLength: 1 } },
      ],
    },
    ssh_public_keys: {
      anyOf: [
        { type: 'string' },
        { type: 'array', items: { type: 'string', minLength: 1 } },
      ],
    },
    unprivileged: { type: 'boolean' },
    onboot: { type: 'boolean' },
    tags: { type: 'array', items: { type: 'string', pattern: '^[a-z0-9_][a-z0-9_.+-]*$' } },
    wait_for_ssh: { type: 'boolean' },
    wait_for_ssh_timeout: { type: 'number', exclusiveMinimum: 0, maximum: 2147483 },
    task_timeout: { type: 'number', exclusiveMinimum: 0, maximum: 2147483 },
  },
  // The Proxmox driver needs the API; the lab driver ignores api_* and node.
  if: { not: { properties: { driver: { const: 'lab' } }, required: ['driver'] } },
  then: { required: ['api_url', 'api_token_id', 'api_token_secret', 'node'] },
  else: { required: ['net0'] },
};
