/**
 * file: a directory, an absent path, an (empty if new) file, a symbolic or hard link, or attributes of a
 * path — with Ansible's rules (modules/file.py): without `state` the path keeps what it is; attributes
 * follow a symlink to its target (`follow: true`, the default); `state: link` refuses to replace a file
 * or directory and to make a dangling link unless `force: true`; `state: directory` goes through a
 * symlink to a directory and gives every directory it creates the wanted owner, group and mode.
 * Unlike Ansible, `touch` on an existing path changes nothing (timestamps are not managed), so a
 * second run reports ok. Written to the typed contract: one fact command (fileFact), a pure plan
 * (planFile), the default apply; tables in test/modules/tables/file/.
 */
import { posix } from 'node:path';
import { quote } from '../connection/quote.js';
import { TaskError } from '../errors.js';
import { typedModule } from './contract.js';
import { registerModule } from './registry.js';
import { attributeCommands, changedAttributes, checkAccounts, modeFor, resolveAttributes, type ResolvedAttributes, type WantedAttributes } from './support/attributes.js';
import { accountsPrelude, accountsScript, parseAccounts, parseSections, preludesOf, sectionsScript, type MissingAccounts } from './support/fact-sections.js';
import { fileFactsScript, filePrelude, followedFactsScript, followedTypeScript, parseFileFacts, parseFollowedFacts, parseFollowedType, resolvePathScript, type FileFacts } from './support/file-facts.js';
import { formatMode } from './support/mode.js';
import { attributeProps, pathSchema } from './support/schema-parts.js';
import type { Fact, PlanInput } from './types.js';

type State = 'directory' | 'absent' | 'touch' | 'link' | 'hard' | 'file';

export interface FileArgs extends WantedAttributes {
  path?: string;
  /** Ansible's aliases of path. */
  dest?: string;
  name?: string;
  state?: State;
  src?: string;
  recurse?: boolean;
  force?: boolean;
  follow?: boolean;
}

interface Step {
  commands: string[];
  what: string;
}

const none: Step = { commands: [], what: '' };
const pathOf = (args: FileArgs) => (args.path ?? args.dest ?? args.name)!;
const attrsStep = (target: string, a: ResolvedAttributes, what: string): Step => {
  const commands = attributeCommands(quote(target), a);
  return { commands, what: commands.length ? what : '' };
};

/** Every fact the plan needs, read with one command before deciding. */
export interface FileModuleFacts {
  path: FileFacts;
  /** What the path names through its symlinks (only when it is a link). */
  target?: FileFacts;
  /** For link/hard: the source as seen from the link's directory. */
  src?: FileFacts;
  /** recurse: the entries below the directory (not symlinks). */
  tree?: TreeEntry[];
  /** touch of a missing path: its directory. */
  parent?: FileFacts;
  /** owner / group names the host does not have. */
  missing: MissingAccounts;
}

interface TreeEntry {
  path: string;
  directory: boolean;
  mode: number;
  owner: string;
  group: string;
  uid: string;
  gid: string;
}

const TREE_FORMAT = "'%y %m %u %g %U %G %p\\0'";

function parseTree(text: string): TreeEntry[] {
  return text
    .split('\0')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [y, m, owner, group, uid, gid] = l.split(' ', 6) as [string, string, string, string, string, string];
      const path = l.split(' ').slice(6).join(' ');
      return { path, directory: y === 'd', mode: parseInt(m, 8), owner, group, uid, gid };
    });
}

/** The state Ansible assumes when none is given. */
function stateOf(args: FileArgs, facts: FileFacts): State {
  if (args.state) return args.state;
  if (facts.type === 'absent') return args.recurse ? 'directory' : 'file';
  if (facts.type === 'link') return 'link';
  return facts.type === 'directory' ? 'directory' : 'file';
}

/** Attributes of an existing path (after following links when asked). */
function attributesOf(f: FileFacts, args: FileArgs): Step {
  return attrsStep(f.path, changedAttributes(f, args), `set attributes of ${f.path}`);
}

function recurseStep(dir: string, tree: TreeEntry[], args: FileArgs): Step {
  const byMode = new Map<number, string[]>();
  let owners = false;
  for (const e of tree) {
    const facts = { type: e.directory ? 'directory' : 'file', mode: e.mode } as const;
    if (args.mode !== undefined) {
      const m = modeFor(args.mode, facts);
      if (m !== e.mode) byMode.set(m, [...(byMode.get(m) ?? []), e.path]);
    }
    if (args.owner !== undefined && args.owner !== e.owner && args.owner !== e.uid) owners = true;
    if (args.group !== undefined && args.group !== e.group && args.group !== e.gid) owners = true;
  }
  const commands: string[] = [];
  for (const [m, paths] of byMode) {
    for (let i = 0; i < paths.length; i += 200) commands.push(`chmod ${formatMode(m)} -- ${paths.slice(i, i + 200).map(quote).join(' ')}`);
  }
  if (owners) commands.push(...attributeCommands(quote(dir), { owner: args.owner, group: args.group }, true));
  return { commands, what: commands.length ? 'set attributes below' : '' };
}

function merge(...steps: Step[]): Step {
  const commands = steps.flatMap((s) => s.commands);
  return { commands, what: steps.filter((s) => s.commands.length).map((s) => s.what).join(', ') };
}

/**
 * mkdir for every missing component of `dir`, each given the wanted attributes, as Ansible does. A
 * directory another process made meanwhile (two hosts on one filesystem) is no error, as for Ansible.
 */
function makeDirectories(dir: string, args: FileArgs): string[] {
  const attrs = resolveAttributes(args, undefined, true);
  const parts = dir.split('/').filter(Boolean);
  return parts.map((_, i) => {
    const p = quote(`/${parts.slice(0, i + 1).join('/')}`);
    const set = attributeCommands(p, attrs).join(' && ') || ':';
    return `{ [ -d ${p} ] || if mkdir -- ${p} 2>/dev/null; then ${set}; else [ -d ${p} ] || mkdir -- ${p}; fi; }`;
  });
}

/** The commands that bring the path to the wanted state; empty when nothing changes. */
export function fileStep(f: FileModuleFacts, args: FileArgs, input: Pick<PlanInput, 'pending'>): Step {
  const path = pathOf(args);
  const p = quote(path);
  const follow = args.follow !== false;
  const here = f.path;
  const state = stateOf(args, here);
  // Attributes act on what a symlink names when following.
  const through = follow && here.type === 'link' && f.target ? f.target : here;
  switch (state) {
    case 'absent':
      return here.type === 'absent' ? none : { commands: [`rm -rf -- ${p}`], what: `remove ${path}` };
    case 'directory': {
      if (args.recurse === true && args.state !== undefined && args.state !== 'directory') throw new TaskError('recurse option requires state to be directory');
      if (through.type === 'absent') {
        if (here.type === 'link') throw new TaskError(`${path} is a symlink to a missing ${through.path}`);
        return { commands: makeDirectories(path, args), what: `create directory ${path}` };
      }
      if (through.type !== 'directory') throw new TaskError(`${path} already exists as a ${through.type}`);
      return merge(attributesOf(through, args), args.recurse && f.tree ? recurseStep(through.path, f.tree, args) : none);
    }
    case 'touch':
      if (through.type === 'absent') {
        const dir = posix.dirname(path);
        if (f.parent && f.parent.type !== 'directory' && !input.pending.paths.has(dir)) throw new TaskError(`Error, could not touch target: ${dir} is not a directory`);
        return { commands: [`touch -- ${p}`, ...attributeCommands(p, resolveAttributes(args, undefined))], what: `create ${path}` };
      }
      return attributesOf(through, args);
    case 'file':
      if (args.recurse) throw new TaskError('recurse option requires state to be directory');
      if (through.type !== 'file') {
        throw new TaskError(through.type === 'absent' ? `file (${path}) is absent, cannot continue` : `file (${path}) is ${through.type}, cannot continue`);
      }
      return attributesOf(through, args);
    case 'link':
      return linkStep(f, args, input);
    case 'hard':
      return hardStep(f, args, input);
  }
}

function linkStep(f: FileModuleFacts, args: FileArgs, input: Pick<PlanInput, 'pending'>): Step {
  const path = pathOf(args);
  const p = quote(path);
  const here = f.path;
  const follow = args.follow !== false;
  let src = args.src;
  if (src === undefined) {
    if (here.type === 'link' && f.target?.type !== 'absent') src = here.linkTarget;
    else throw new TaskError(`src is required for state: link (${path} is ${here.type === 'link' ? 'a dangling link' : here.type})`);
  }
  const srcPath = posix.resolve(posix.dirname(path), src!);
  if (!args.force && f.src?.type === 'absent' && !input.pending.paths.has(srcPath)) {
    throw new TaskError(`src file does not exist, use "force: true" if you really want to create the link: ${srcPath}`);
  }
  const refuse = (kind: string) => new TaskError(`refusing to convert from ${kind} to symlink for ${path}`);
  let replace: string[];
  if (here.type === 'directory') {
    if (!args.force) throw refuse('directory');
    if (f.tree?.length) throw new TaskError(`the directory ${path} is not empty, refusing to convert it`);
    replace = [`rmdir -- ${p}`];
  } else if (here.type === 'file' || here.type === 'other') {
    if (!args.force) throw refuse(here.nlink && here.nlink > 1 ? 'hard' : 'file');
    replace = [];
  } else replace = [];
  const link: Step =
    here.type === 'link' && here.linkTarget === src ? none : { commands: [...replace, `ln -sfn -- ${quote(src!)} ${p}`], what: `link ${path} -> ${src}` };
  // Attributes go to the link's target when following and it exists; else to the link itself (owner only).
  const target = f.src;
  let attrs: Step = none;
  if (follow) {
    if (target && target.type !== 'absent') attrs = attrsStep(srcPath, changedAttributes(target, args), `set attributes of ${srcPath}`);
  } else if (args.owner !== undefined || args.group !== undefined) {
    const spec = `${args.owner ?? ''}${args.group !== undefined ? `:${args.group}` : ''}`;
    const differs = (args.owner !== undefined && args.owner !== here.owner && args.owner !== here.uid) || (args.group !== undefined && args.group !== here.group && args.group !== here.gid);
    if (link.commands.length || differs) attrs = { commands: [`chown -h ${quote(spec)} -- ${p}`], what: `set owner of ${path}` };
  }
  return merge(link, attrs);
}

function hardStep(f: FileModuleFacts, args: FileArgs, input: Pick<PlanInput, 'pending'>): Step {
  const path = pathOf(args);
  const p = quote(path);
  const here = f.path;
  if (args.src === undefined) throw new TaskError('src is required for creating new hardlinks');
  const srcPath = posix.resolve(posix.dirname(path), args.src);
  const src = f.src!;
  if (src.type === 'absent' && !input.pending.paths.has(srcPath)) throw new TaskError(`src does not exist: ${srcPath}`);
  let link: Step;
  const make = { commands: [`ln -f -- ${quote(args.src)} ${p}`], what: `hard link ${path} -> ${args.src}` };
  if (here.type === 'absent') link = make;
  else if (here.type === 'link') link = make;
  else if (here.type === 'file') {
    if (here.inode === src.inode) link = none;
    else if (!args.force) throw new TaskError(here.nlink && here.nlink > 1 ? 'Cannot link, different hard link exists at destination' : `Cannot link, file exists at destination: ${path}`);
    else link = make;
  } else throw new TaskError(`Cannot link, ${here.type} exists at destination: ${path}`);
  return merge(link, src.type === 'absent' ? none : attrsStep(path, changedAttributes(here.type === 'absent' ? src : here, args), `set attributes of ${path}`));
}

/** Where state: link / hard takes its source from, as the controller knows it (undefined: the link's own target, read on the host). */
const srcOf = (args: FileArgs) => (args.src === undefined ? undefined : posix.resolve(posix.dirname(pathOf(args)), args.src));

/**
 * The one command reading what the plan needs: the path; what it names through its links; the
 * source of a link (given, or the link's own target); the entries below a directory (recurse, or a
 * directory a link would replace); the directory of a path touch would create; missing accounts.
 */
export function fileFact(args: FileArgs): Fact<FileModuleFacts> {
  const path = pathOf(args);
  if (!posix.isAbsolute(path)) throw new TaskError(`path must be absolute, got ${JSON.stringify(path)}`);
  const linkish = args.state === undefined || args.state === 'link' || args.state === 'hard';
  const src = srcOf(args);
  const follow = args.follow !== false;
  const parts: Array<[string, string]> = [['path', fileFactsScript(path, false)]];
  parts.push(['target', `[ -L ${quote(path)} ] || exit 0\n${followedFactsScript(path)}`]);
  if (linkish) {
    if (src !== undefined) parts.push(['src', followedFactsScript(src)]);
    else parts.push(['src', `p=${quote(path)}\n[ -L "$p" ] || exit 0\ns=$(readlink -- "$p") || exit 0\ncase "$s" in /*) ;; *) s="$(dirname -- "$p")/$s" ;; esac\n${followedFactsScript('$s', true)}`]);
  }
  if (args.state === 'touch') parts.push(['parent', followedTypeScript(posix.dirname(path))]);
  const treeWhen = args.state === 'link' ? `[ -d "$p" ] && [ ! -L "$p" ]` : args.recurse ? (follow ? `[ -d "$p" ]` : `[ -d "$p" ] && [ ! -L "$p" ]`) : undefined;
  if (treeWhen) parts.push(['tree', `p=${quote(path)}\n${treeWhen} || exit 0\nq=$(${resolvePathScript('"$p"')}) && find "$q" -mindepth 1 ! -type l -printf ${TREE_FORMAT}`]);
  parts.push(['accounts', accountsScript(args.owner, args.group)]);
  return {
    command: sectionsScript(parts),
    preludes: preludesOf(filePrelude([path]), accountsPrelude(args.owner, args.group)),
    parse(stdout) {
      const s = parseSections(stdout, ['path', 'target', 'src', 'parent', 'tree', 'accounts']);
      const facts: FileModuleFacts = { path: parseFileFacts(path, s.path ?? 'absent\n'), missing: parseAccounts(s.accounts) };
      if (s.target?.trim()) facts.target = parseFollowedFacts(s.target);
      if (s.src?.trim()) facts.src = parseFollowedFacts(s.src);
      if (s.parent?.trim()) facts.parent = parseFollowedType(s.parent);
      if (s.tree !== undefined && treeWhen) facts.tree = parseTree(s.tree);
      return facts;
    },
  };
}

/** The plan: a pure function of the arguments and the facts. */
export function planFile(args: FileArgs, facts: FileModuleFacts, input: PlanInput) {
  const path = pathOf(args);
  if (!posix.isAbsolute(path)) throw new TaskError(`path must be absolute, got ${JSON.stringify(path)}`);
  const state = stateOf(args, facts.path);
  const step = fileStep(facts, args, input);
  let commands = step.commands;
  if (state !== 'absent') checkAccounts(args, facts.missing, input.pending.users, input.host);
  // --check: an earlier task already brings the path to this very state, so the real run says ok here
  const fingerprint = `file ${JSON.stringify([args.state, args.src, args.mode, args.owner, args.group, args.recurse, args.follow, args.force])}`;
  if (commands.length && input.check && input.planned(path) === fingerprint) commands = [];
  const changed = commands.length > 0;
  const before = facts.path.type;
  const pending: string[] = [];
  if (changed && args.state !== 'absent') pending.push(path);
  // state: directory makes every missing directory above it too
  if (changed && state === 'directory') for (let d = posix.dirname(path); d !== '/'; d = posix.dirname(d)) pending.push(d);
  return {
    changed,
    change: changed ? step.what : undefined,
    commands,
    diff: input.diff && changed ? [{ path, before: `state: ${before}\n`, after: `state: ${state === 'touch' ? 'file' : state}\n` }] : undefined,
    result: { path, state: before },
    pending: pending.length ? { paths: pending } : undefined,
    planned: changed ? { [path]: fingerprint } : undefined,
  };
}

export const file = typedModule<FileArgs, FileModuleFacts, undefined>({
  name: 'file',
  schema: {
    type: 'object',
    properties: {
      path: pathSchema,
      dest: pathSchema,
      name: pathSchema,
      state: { enum: ['directory', 'absent', 'touch', 'link', 'hard', 'file'] },
      src: pathSchema,
      recurse: { type: 'boolean' },
      force: { type: 'boolean' },
      follow: { type: 'boolean' },
      ...attributeProps,
    },
    oneOf: [{ required: ['path'] }, { required: ['dest'] }, { required: ['name'] }],
    // state: link / hard need the link's target (checked offline, before any connection)
    if: { properties: { state: { enum: ['link', 'hard'] } }, required: ['state'] },
    then: { required: ['src'] },
    additionalProperties: false,
  },
  fact: (args) => fileFact(args),
  plan: planFile,
});

registerModule(file);
