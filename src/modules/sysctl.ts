/**
 * sysctl: a kernel parameter persisted in a sysctl.d file (default /etc/sysctl.d/99-NAME.conf; a
 * shared file is edited line-wise) and applied live with `sysctl -w`. One round trip reads the live
 * value and the file.
 */
import { quote } from '../connection/quote.js';
import { TaskError } from '../errors.js';
import { registerModule } from './registry.js';
import { fileFactsScript, parseFileFacts } from './support/file-facts.js';
import { mustRun } from './support/host-run.js';
import { editLines } from './support/line-edit.js';
import { applyManagedFile, plannedContent, planManagedFile } from './support/managed-file.js';
import type { ModuleDefinition, PlanResult } from './types.js';

export interface SysctlArgs {
  name: string;
  value: string | number | boolean;
  sysctl_file?: string;
  reload?: boolean;
}

const normalise = (v: string) => v.trim().split(/\s+/).join(' ');
const valueText = (v: SysctlArgs['value']) => (typeof v === 'boolean' ? (v ? '1' : '0') : normalise(String(v)));
export const sysctlFile = (args: SysctlArgs) => args.sysctl_file ?? `/etc/sysctl.d/99-${args.name}.conf`;
const LIVE = '--lbrun-live--';

interface SysctlActions {
  file: PlanResult;
  live: boolean;
}

export const sysctl: ModuleDefinition<SysctlArgs> = {
  name: 'sysctl',
  readAhead: true,
  schema: {
    type: 'object',
    properties: {
      name: { type: 'string', pattern: '^[A-Za-z0-9_.*/-]+$' },
      value: { type: ['string', 'number', 'boolean'] },
      sysctl_file: { type: 'string', minLength: 1 },
      reload: { type: 'boolean' },
    },
    required: ['name', 'value'],
    additionalProperties: false,
  },
  async plan(ctx, args): Promise<PlanResult> {
    const file = sysctlFile(args);
    const value = valueText(args.value);
    const script = `printf '%s\\n' "$(sysctl -n ${quote(args.name)} 2>/dev/null)" ${LIVE}\n${fileFactsScript(file, true)}`;
    const r = await mustRun(ctx, script, `reading sysctl ${args.name}`);
    const at = r.stdout.indexOf(`${LIVE}\n`);
    const live = normalise(r.stdout.slice(0, at));
    const facts = parseFileFacts(file, r.stdout.slice(at + LIVE.length + 1));
    if (facts.type !== 'absent' && facts.content === undefined) throw new TaskError(`${file} on ${ctx.host} is not a readable text file`);
    const escaped = args.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const content = editLines(facts.content ?? '', { regexp: `^\\s*${escaped}\\s*=`, line: `${args.name} = ${value}` });
    const filePlan = await planManagedFile(ctx, { dest: file, content, mode: '0644' }, facts);
    const liveChange = args.reload !== false && live !== value;
    const changed = filePlan.changed || liveChange;
    const w = ctx.check ? 'would ' : '';
    const msg = changed ? `${w}set ${args.name} = ${value}${liveChange ? ` (live value ${live || 'unset'})` : ''}` : undefined;
    return { changed, msg, diff: filePlan.diff, actions: { file: filePlan, live: liveChange } satisfies SysctlActions };
  },
  async apply(ctx, args, plan) {
    const a = plan.actions as SysctlActions;
    const file = sysctlFile(args);
    if (a.file.changed) await applyManagedFile(ctx, { dest: file, content: plannedContent(a.file), mode: '0644' }, a.file);
    if (a.live) await mustRun(ctx, `sysctl -w ${quote(`${args.name}=${valueText(args.value)}`)}`, `sysctl -w ${args.name}`);
    return { changed: true, msg: plan.msg?.replace(/^would /, '') };
  },
};

registerModule(sysctl);
