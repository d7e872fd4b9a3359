/**
 * lineinfile: one line present (or absent) in a text file, written atomically like copy. A symlinked
 * path edits the file it points to (the link stays); `create: true` also makes missing parent
 * directories. The edit itself follows Ansible's rules (support/line-edit.ts). Written to the typed
 * contract: one fact command (the file through its links, with content; missing accounts), a pure
 * plan, validate in --check (verify), the managed-file write as apply; tables in test/modules/tables/lineinfile/.
 */
import { TaskError } from '../errors.js';
import { typedModule } from './contract.js';
import { registerModule } from './registry.js';
import { accountsScript, parseAccounts, parseSections, sectionsScript, type MissingAccounts } from './support/fact-sections.js';
import { followedFactsScript, parseFollowedFacts, type FileFacts } from './support/file-facts.js';
import { editLines, type LineEdit } from './support/line-edit.js';
import { decideManagedFile, verifyManagedFile, writeManagedFile, type ManagedFile, type ManagedFileData } from './support/managed-file.js';
import { attributeProps, pathSchema, regexpSchema } from './support/schema-parts.js';
import type { Fact, Plan, PlanInput } from './types.js';

export interface LineinfileArgs extends LineEdit {
  path?: string;
  /** Ansible's aliases of path. */
  dest?: string;
  destfile?: string;
  name?: string;
  create?: boolean;
  backup?: boolean;
  validate?: string;
  owner?: string;
  group?: string;
  mode?: string | number;
}

export interface LineinfileFacts {
  /** The file, through its symlinks (`path` is where the edit is written), with its content. */
  file: FileFacts;
  missing: MissingAccounts;
}

const pathOf = (args: LineinfileArgs) => (args.path ?? args.dest ?? args.destfile ?? args.name)!;

export function lineinfileFact(args: LineinfileArgs): Fact<LineinfileFacts> {
  const path = pathOf(args);
  return {
    // the content comes last: it may hold anything
    command: sectionsScript([
      ['accounts', accountsScript(args.owner, args.group)],
      ['file', followedFactsScript(path, false, true)],
    ]),
    parse(stdout) {
      const s = parseSections(stdout, ['accounts', 'file']);
      return { file: parseFollowedFacts(s.file ?? `${path}\nabsent\n`), missing: parseAccounts(s.accounts) };
    },
  };
}

export function planLineinfile(args: LineinfileArgs, { file, missing }: LineinfileFacts, input: PlanInput): Plan<ManagedFileData> {
  const path = pathOf(args);
  if (file.type === 'absent') {
    if (args.state === 'absent') return { changed: false };
    if (!args.create) throw new TaskError(`Destination ${path} does not exist on ${input.host} (set create: true to create it)`);
  } else if (file.type === 'directory') {
    throw new TaskError(`Path ${path} is a directory !`);
  } else if (file.type !== 'file') {
    throw new TaskError(`${path} on ${input.host} is a ${file.type}, not a file`);
  } else if (file.content === undefined) {
    throw new TaskError(`${path} on ${input.host} is too large for lineinfile`);
  }
  const { owner, group, mode, validate, backup } = args;
  const want: ManagedFile = { dest: file.path, owner, group, mode, validate, backup, content: editLines(file.content ?? '', args), makeParents: true };
  return decideManagedFile(want, file, missing, input);
}

export const lineinfile = typedModule<LineinfileArgs, LineinfileFacts, ManagedFileData>({
  name: 'lineinfile',
  schema: {
    type: 'object',
    properties: {
      path: pathSchema,
      dest: pathSchema,
      destfile: pathSchema,
      name: pathSchema,
      line: { type: 'string' },
      regexp: regexpSchema,
      search_string: { type: 'string' },
      state: { enum: ['present', 'absent'] },
      insertafter: { ...regexpSchema, lbrunMarkers: true },
      insertbefore: { ...regexpSchema, lbrunMarkers: true },
      backrefs: { type: 'boolean' },
      firstmatch: { type: 'boolean' },
      create: { type: 'boolean' },
      backup: { type: 'boolean' },
      validate: { type: 'string', pattern: '%s' },
      ...attributeProps,
    },
    oneOf: [{ required: ['path'] }, { required: ['dest'] }, { required: ['destfile'] }, { required: ['name'] }],
    if: { not: { properties: { state: { const: 'absent' } }, required: ['state'] } },
    then: { required: ['line'] },
    else: { anyOf: [{ required: ['line'] }, { required: ['regexp'] }, { required: ['search_string'] }] },
    allOf: [
      { not: { required: ['insertafter', 'insertbefore'] } },
      { not: { required: ['regexp', 'search_string'] } },
      { if: { properties: { backrefs: { const: true } }, required: ['backrefs'] }, then: { required: ['regexp'] } },
    ],
    additionalProperties: false,
  },
  fact: (args) => lineinfileFact(args),
  plan: planLineinfile,
  verify: (ctx, _args, plan) => verifyManagedFile(ctx, plan.data),
  apply: (ctx, _args, plan) => writeManagedFile(ctx, plan),
});

registerModule(lineinfile);
