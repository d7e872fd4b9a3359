/**
 * sysctl: a kernel parameter persisted in a sysctl file and applied live, with ansible.posix's rules
 * (plugins/modules/sysctl.py): the file is rewritten only when the key's value there differs (or it is
 * missing, or state: absent finds it); a rewrite normalises every `key = value` line to `key=value`,
 * strips blanks around lines and drops later duplicates of any key. With `reload` (default) a live value
 * that differs also counts as a change and the file is loaded with `sysctl -p FILE`; `sysctl_set` sets
 * the live value with `sysctl -w`. An existing file keeps its owner and mode; a new one is 0644.
 * Unlike Ansible the default file is /etc/sysctl.d/99-NAME.conf (one key per file), not /etc/sysctl.conf.
 */
import { posix } from 'node:path';
import { quote, quoteArgs } from '../connection/quote.js';
import { TaskError } from '../errors.js';
import { registerModule } from './registry.js';
import { typedModule, wording } from './contract.js';
import { contentDiff } from './support/file-diff.js';
import { fileFactsScript, parseFileFacts, type FileFacts } from './support/file-facts.js';
import { mustRun } from './support/host-run.js';
import { applyManagedFile, planManagedFile } from './support/managed-file.js';

export interface SysctlArgs {
  name?: string;
  key?: string;
  value?: string | number | boolean;
  val?: string | number | boolean;
  state?: 'present' | 'absent';
  sysctl_file?: string;
  reload?: boolean;
  sysctl_set?: boolean;
  ignoreerrors?: boolean;
}

const TRUE = ['y', 'yes', 'on', '1', 'true', 't'];
const FALSE = ['n', 'no', 'off', '0', 'false', 'f'];

/** The value as ansible.posix compares it: booleans (and their words) as 1/0, text stripped. */
export function valueText(v: string | number | boolean | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'boolean') return v ? '1' : '0';
  const s = String(v);
  if (TRUE.includes(s.toLowerCase())) return '1';
  if (FALSE.includes(s.toLowerCase())) return '0';
  return s.trim();
}

const nameOf = (a: SysctlArgs) => (a.name ?? a.key!).trim();
export const sysctlFile = (args: SysctlArgs) => args.sysctl_file ?? `/etc/sysctl.d/99-${nameOf(args)}.conf`;
const sameWords = (a: string | undefined, b: string) => a !== undefined && a.split(/\s+/).filter(Boolean).join(' ') === b.split(/\s+/).filter(Boolean).join(' ');
const isSetting = (l: string) => l !== '' && !l.startsWith('#') && !l.startsWith(';') && l.includes('=');

/** The key's value in the file (its last occurrence) and the file as ansible.posix would rewrite it. */
export function sysctlEdit(content: string, name: string, value: string, present: boolean): { fileValue?: string; rewritten: string } {
  const lines = (content.match(/[^\n]*\n|[^\n]+$/g) ?? []).map((l) => l.trim());
  let fileValue: string | undefined;
  for (const l of lines) {
    if (!isSetting(l)) continue;
    const i = l.indexOf('=');
    if (l.slice(0, i).trim() === name) fileValue = l.slice(i + 1).trim();
  }
  const seen = new Set<string>();
  const out: string[] = [];
  for (const l of lines) {
    if (!isSetting(l)) {
      out.push(l);
      continue;
    }
    const i = l.indexOf('=');
    const k = l.slice(0, i).trim();
    if (seen.has(k)) continue;
    seen.add(k);
    if (k !== name) out.push(`${k}=${l.slice(i + 1).trim()}`);
    else if (present) out.push(`${k}=${value}`);
  }
  if (!seen.has(name) && present) out.push(`${name}=${value}`);
  return { fileValue, rewritten: out.map((l) => `${l}\n`).join('') };
}

/** What the plan reads: the key's live value, whether the kernel has it, the file (with content). */
export interface SysctlFacts {
  /** /proc/sys has no such key (`sysctl -p` of it will fail). */
  noKey: boolean;
  /** `sysctl -n NAME`, undefined when it cannot be read. */
  live?: string;
  file: FileFacts;
}

/** What apply does, decided by the plan. */
export interface SysctlData {
  /** The file's new content, when it is rewritten. */
  content?: string;
  fileFacts: FileFacts;
  setLive: boolean;
  reload: boolean;
}

const LIVE = '--lbrun-live--';

export function sysctlFactsScript(name: string, file: string): string {
  const proc = `/proc/sys/${name.replace(/\./g, '/')}`;
  return `[ -e ${quote(proc)} ] || echo --no-key--; if v=$(LC_ALL=C sysctl -e -n ${quote(name)} 2>/dev/null); then printf 'live:%s\\n' "$v"; fi; echo ${LIVE}\n${fileFactsScript(file, true)}`;
}

export function parseSysctlFacts(file: string, stdout: string): SysctlFacts {
  const at = stdout.indexOf(`${LIVE}\n`);
  const noKey = stdout.startsWith('--no-key--\n');
  const head = stdout.slice(noKey ? 11 : 0, at);
  const live = head.startsWith('live:') ? head.slice(5).replace(/\n$/, '') : undefined;
  return { noKey, live, file: parseFileFacts(file, stdout.slice(at + LIVE.length + 1)) };
}

export const sysctl = typedModule<SysctlArgs, SysctlFacts, SysctlData>({
  name: 'sysctl',
  schema: {
    type: 'object',
    properties: {
      name: { type: 'string', pattern: '^\\s*[A-Za-z0-9_.*/-]+\\s*$' },
      key: { type: 'string', pattern: '^\\s*[A-Za-z0-9_.*/-]+\\s*$' },
      value: { type: ['string', 'number', 'boolean'] },
      val: { type: ['string', 'number', 'boolean'] },
      state: { enum: ['present', 'absent'] },
      sysctl_file: { type: 'string', minLength: 1 },
      reload: { type: 'boolean' },
      sysctl_set: { type: 'boolean' },
      ignoreerrors: { type: 'boolean' },
    },
    oneOf: [{ required: ['name'] }, { required: ['key'] }],
    if: { not: { properties: { state: { const: 'absent' } }, required: ['state'] } },
    then: { anyOf: [{ required: ['value'] }, { required: ['val'] }] },
    additionalProperties: false,
  },
  fact: (args) => {
    const file = sysctlFile(args);
    return { command: sysctlFactsScript(nameOf(args), file), parse: (stdout) => parseSysctlFacts(file, stdout) };
  },
  plan(args, { noKey, live, file: facts }, input) {
    const name = nameOf(args);
    const file = sysctlFile(args);
    const present = args.state !== 'absent';
    const value = valueText(args.value ?? args.val);
    if (present && value === '') throw new TaskError('value cannot be blank');
    if (!posix.isAbsolute(file)) throw new TaskError(`sysctl_file must be an absolute path, got ${JSON.stringify(file)}`);
    if (facts.type !== 'absent' && (facts.type !== 'file' || facts.content === undefined)) throw new TaskError(`${file} on ${input.host} is not a readable text file`);
    const { fileValue, rewritten } = sysctlEdit(facts.content ?? '', name, value, present);
    const reload = args.reload !== false;
    let write = false;
    let changed = false;
    if (fileValue === undefined) changed = write = present;
    else if (!present) changed = write = true;
    else if (fileValue !== value) changed = write = true;
    else if (reload && !sameWords(live, value)) changed = true;
    let setLive = false;
    if (args.sysctl_set && present && !sameWords(live, value)) {
      changed = true;
      setLive = live !== undefined;
    }
    // The real run writes the file, then `sysctl -p` fails on a key the kernel does not have: say so.
    if (input.check && noKey && reload && changed) throw new TaskError(`sysctl -p ${file} would fail: the kernel has no ${name}`);
    const data: SysctlData = { content: write ? rewritten : undefined, fileFacts: facts, setLive, reload: reload && changed };
    if (!changed) return { changed, data };
    const change = present
      ? `set ${name}=${value}${!sameWords(live, value) ? ` (live value ${live === undefined ? 'unknown' : JSON.stringify(live.trim())})` : ''}`
      : `remove ${name} from ${file}`;
    return {
      changed,
      change,
      diff: input.diff && write ? [contentDiff(file, facts.content, rewritten)] : undefined,
      ...(write ? { pending: { paths: [file] } } : {}),
      data,
    };
  },
  async apply(ctx, args, plan) {
    const a = plan.data!;
    const name = nameOf(args);
    const file = sysctlFile(args);
    const e = args.ignoreerrors ? ['-e'] : [];
    if (a.setLive) await mustRun(ctx, `LC_ALL=C ${quoteArgs(['sysctl', ...e, '-w', `${name}=${valueText(args.value ?? args.val)}`])}`, `sysctl -w ${name}`);
    if (a.content !== undefined) {
      const want = { dest: file, content: a.content };
      await applyManagedFile(ctx, want, await planManagedFile(ctx, want, a.fileFacts));
    }
    if (a.reload) await mustRun(ctx, `LC_ALL=C ${quoteArgs(['sysctl', ...e, '-p', file])}`, `sysctl -p ${file}`);
    return { changed: true, msg: wording(plan, false) };
  },
});

registerModule(sysctl);
