/**
 * The command line: arguments -> library calls -> exit code (docs/cli.md). main()
 * never calls process.exit. Heavy parts (the engine, ssh, the lab) are imported only when used.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_FORKS } from './engine/defaults.js';
import { InputError, InputErrors, LbrunError, exitCodeOf } from './errors.js';
import type { Vars } from './types.js';
import { redactor } from './secrets/redact.js';
import { installSink } from './report/sink.js';

const DEFAULT_INVENTORY = 'inventory/hosts.yaml';

interface CommonOptions {
  inventory?: string;
  extraVars?: string[];
  verbose: number;
}

interface RunFlags extends CommonOptions {
  check?: boolean;
  diff?: boolean;
  tags?: string[];
  skipTags?: string[];
  limit?: string;
  forks: number;
  json?: boolean;
  forceHandlers?: boolean;
  failOnChange?: boolean;
  readAhead: boolean;
  acceptNewHostKeys?: boolean;
  listTasks?: boolean;
  listHosts?: boolean;
  startAtTask?: string;
}

interface RenderFlags extends CommonOptions {
  host?: string;
  out: string;
}

function out(text: string): void {
  process.stdout.write(text);
}

function err(text: string): void {
  process.stderr.write(text);
}

export async function main(argv: string[]): Promise<number> {
  installSink();
  if (process.env.LBRUN_BECOME_PASSWORD) redactor.add(process.env.LBRUN_BECOME_PASSWORD);
  if (argv[0] === 'lab') {
    const { labMain } = await import('./lab/cli.js');
    return labMain(argv.slice(1));
  }
  let code = 0;
  const verbose = argv.some((a) => /^-v+$/.test(a) || a === '--verbose');
  const program = buildProgram(async (c) => {
    code = await c();
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version end with exit code 0; usage errors were printed by commander already
      return e.exitCode === 0 ? 0 : 3;
    }
    return reportError(e, verbose);
  }
}

/** The files a command was given: what the error printer learns secrets from. */
interface Project {
  playbookFile: string;
  inventoryFile: string;
  extraVars: string[];
}

/**
 * Print an error the way a user can act on it; returns the exit code. The message may quote an
 * input value: the project's secrets are learnt first (even from files that do not load), and the
 * output sink masks them.
 */
async function reportError(e: unknown, verbose: boolean, project?: Project): Promise<number> {
  if (project) await learnSecretsOf(project).catch(() => {});
  if (e instanceof InputErrors || e instanceof InputError) {
    err(`${e.message}\n`);
  } else if (e instanceof LbrunError) {
    err(`error: ${e.message}\n`);
    if (verbose && e.stack) err(`${e.stack}\n`);
  } else {
    const message = e instanceof Error ? e.message : String(e);
    err(`internal error: ${message}\n`);
    if (verbose && e instanceof Error && e.stack) err(`${e.stack}\n`);
    else err('(run with -v for the stack trace)\n');
  }
  return exitCodeOf(e);
}

async function learnSecretsOf(project: Project): Promise<void> {
  const [{ learnProjectSecrets }, { scanSecrets }, { parseExtraVars }] = await Promise.all([
    import('./engine/secrets.js'),
    import('./engine/secret-scan.js'),
    import('./vars/extra-vars.js'),
  ]);
  scanSecrets(project.extraVars.filter((x) => x.trim().startsWith('@')).map((x) => resolve(x.trim().slice(1))), redactor);
  let extraVars: Vars | undefined;
  try {
    extraVars = parseExtraVars(project.extraVars, process.cwd());
  } catch {
    extraVars = undefined;
  }
  await learnProjectSecrets({ playbookFile: project.playbookFile, inventoryFile: project.inventoryFile, extraVars }, redactor);
}

function projectOf(playbook: string, flags: CommonOptions): Project {
  return { playbookFile: resolve(playbook), inventoryFile: inventoryOf(flags), extraVars: flags.extraVars ?? [] };
}

function buildProgram(setResult: (work: () => Promise<number>) => Promise<void>): Command {
  const program = new Command('lbrun')
    .description('Agentless playbook runner for a highly available HAProxy + keepalived load-balancer tier')
    .version(packageVersion(), '--version', 'print the version')
    .exitOverride()
    .configureOutput({
      writeOut: out,
      writeErr: err,
      // usage errors on one line, the suggestion included
      outputError: (text, write) => write(`${text.trimEnd().replace(/\n+/g, ' ')}\n`),
    })
    .showSuggestionAfterError(true)
    .enablePositionalOptions();

  commonOptions(program.argument('[playbook]', 'the playbook to run'))
    .option('--check', 'plan only: report what would change, change nothing')
    .option('--diff', 'show unified diffs of file changes')
    .option('-t, --tags <tags>', 'run only tasks with these tags (comma separated)', list)
    .option('--skip-tags <tags>', 'skip tasks with these tags (comma separated)', list)
    .option('-l, --limit <pattern>', 'limit the run to hosts matching this pattern')
    .option('-f, --forks <n>', 'hosts worked on at once', forks, DEFAULT_FORKS)
    .option('--json', 'write NDJSON events to stdout instead of human output')
    .option('--force-handlers', 'run notified handlers even on hosts that failed')
    .option('--fail-on-change', 'exit 5 when something changed (or would change with --check)')
    .option('--no-read-ahead', "run every read on its task's turn, not ahead with an earlier task's read")
    .option('--accept-new-host-keys', 'trust and remember SSH host keys not seen before')
    .option('--start-at-task <name>', 'begin at the first task of this name (shell patterns allowed)')
    .option('--list-tasks', 'list the tasks that would run, and exit')
    .option('--list-hosts', 'list the hosts each play would run on, and exit')
    .action(async (playbook: string | undefined, flags: RunFlags) => {
      if (!playbook) {
        err('error: missing PLAYBOOK (see lbrun --help)\n');
        return setResult(async () => 3);
      }
      await setResult(() => runCommand(playbook, flags));
    });

  commonOptions(program.command('validate').argument('<playbook>', 'the playbook to check'))
    .description('offline: check schemas, modules, variables and templates; contact no host')
    .option('-l, --limit <pattern>', 'only these hosts')
    .action(async (playbook: string, flags: CommonOptions & { limit?: string }) => {
      await setResult(() => validateCommand(playbook, flags));
    });

  commonOptions(program.command('render').argument('<playbook>', 'the playbook whose templates to render'))
    .description("offline: write every host's rendered templates under --out; contact no host")
    .option('--host <name>', 'only this host')
    .option('--out <dir>', 'output directory', 'rendered')
    .action(async (playbook: string, flags: RenderFlags) => {
      await setResult(() => renderCommand(playbook, flags));
    });

  // `lab` is dispatched before parsing (see main); listed here for --help.
  program.command('lab').description('the local three-node lab: up | down | status').allowUnknownOption();
  return program;
}

function commonOptions(cmd: Command): Command {
  return cmd
    .option('-i, --inventory <file>', `inventory file (default: $LBRUN_INVENTORY or ${DEFAULT_INVENTORY})`)
    .option('-e, --extra-vars <key=value|@file>', 'extra variables (highest precedence); repeatable', collect)
    .addOption(new Option('-v, --verbose', 'more output (module logs, stack traces)').argParser(increase).default(0));
}

function list(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  ];
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function increase(_value: string | undefined, previous: number): number {
  return previous + 1;
}

function forks(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError('must be a whole number of at least 1.');
  }
  return n;
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function inventoryOf(flags: CommonOptions): string {
  return resolve(flags.inventory ?? process.env.LBRUN_INVENTORY ?? DEFAULT_INVENTORY);
}

async function extraVarsOf(flags: CommonOptions): Promise<Vars> {
  const { parseExtraVars } = await import('./vars/extra-vars.js');
  return parseExtraVars(flags.extraVars ?? [], process.cwd());
}

async function runCommand(playbook: string, flags: RunFlags): Promise<number> {
  const playbookFile = resolve(playbook);
  const inventoryFile = inventoryOf(flags);
  if (flags.listTasks || flags.listHosts) return listCommand(playbookFile, inventoryFile, flags);

  const [{ run }, { HumanReporter, useColour }, { JsonReporter }] = await Promise.all([
    import('./engine/run.js'),
    import('./report/human.js'),
    import('./report/json.js'),
  ]);
  const reporter = flags.json
    ? new JsonReporter(out)
    : new HumanReporter(out, {
        colour: useColour(process.stdout, process.env),
        verbose: flags.verbose > 0,
        width: process.stdout.isTTY ? process.stdout.columns - 1 : undefined,
      });
  const interrupt = new AbortController();
  const stopSignals = trapSignals(interrupt);
  try {
    const summary = await run({
      playbookFile,
      inventoryFile,
      check: flags.check === true,
      diff: flags.diff === true,
      tags: flags.tags,
      skipTags: flags.skipTags,
      limit: flags.limit,
      forks: flags.forks,
      extraVars: await extraVarsOf(flags),
      forceHandlers: flags.forceHandlers === true,
      failOnChange: flags.failOnChange === true,
      readAhead: flags.readAhead,
      startAtTask: flags.startAtTask,
      acceptNewHostKeys: flags.acceptNewHostKeys === true,
      becomePassword: process.env.LBRUN_BECOME_PASSWORD,
      askBecomePassword: process.stdin.isTTY ? askBecomePassword : undefined,
      verbose: flags.verbose > 0,
      signal: interrupt.signal,
      onEvent: (e) => reporter.handle(e),
    });
    return summary.exitCode;
  } catch (e) {
    return reportError(e, flags.verbose > 0, projectOf(playbook, flags));
  } finally {
    stopSignals();
  }
}

async function askBecomePassword(): Promise<string | undefined> {
  const { promptHidden } = await import('./report/prompt.js');
  const answer = await promptHidden('BECOME password: ');
  return answer === '' ? undefined : answer;
}

/**
 * First SIGINT/SIGTERM: abort the run (running commands are killed, connections closed, the recap
 * is printed marked interrupted, exit 130). A second one ends the process at once.
 */
function trapSignals(interrupt: AbortController): () => void {
  const onSignal = (sig: NodeJS.Signals) => {
    if (!interrupt.signal.aborted) {
      err(`\n${sig}: stopping (again to quit at once)\n`);
      interrupt.abort();
      return;
    }
    remove();
    process.kill(process.pid, sig);
  };
  const remove = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return remove;
}

async function listCommand(playbookFile: string, inventoryFile: string, flags: RunFlags): Promise<number> {
  try {
    const [{ loadPlaybook }, { loadInventory }, { listPlaybook }, { collectSecrets }] = await Promise.all([
      import('./playbook/load.js'),
      import('./inventory/load.js'),
      import('./report/list.js'),
      import('./engine/secrets.js'),
    ]);
    const [playbook, inventory] = await Promise.all([loadPlaybook(playbookFile), loadInventory(inventoryFile)]);
    // task names may quote a secret written in a task's arguments
    collectSecrets(playbook, inventory, await extraVarsOf(flags), redactor);
    out(
      listPlaybook(playbook, inventory, {
        tasks: flags.listTasks === true,
        hosts: flags.listHosts === true,
        tags: flags.tags ?? [],
        skipTags: flags.skipTags ?? [],
        limit: flags.limit,
        cwd: process.cwd(),
      }),
    );
    return 0;
  } catch (e) {
    return reportError(e, flags.verbose > 0, { playbookFile, inventoryFile, extraVars: flags.extraVars ?? [] });
  }
}

async function validateCommand(playbook: string, flags: CommonOptions & { limit?: string }): Promise<number> {
  try {
    const { walkProject } = await import('./validate/walk.js');
    const { playbook: pb, inventory, rendered } = await walkProject({
      playbookFile: resolve(playbook),
      inventoryFile: inventoryOf(flags),
      extraVars: await extraVarsOf(flags),
      limit: flags.limit,
    });
    const tasks = pb.plays.reduce((n, p) => n + p.tasks.length + p.handlers.length, 0);
    out(`ok: ${pb.plays.length} plays, ${tasks} tasks, ${inventory.hosts.size} hosts, ${rendered.length} templates rendered\n`);
    return 0;
  } catch (e) {
    return reportError(e, flags.verbose > 0, projectOf(playbook, flags));
  }
}

async function renderCommand(playbook: string, flags: RenderFlags): Promise<number> {
  try {
    const { renderProject } = await import('./validate/render.js');
    const outDir = resolve(flags.out);
    const written = await renderProject({
      playbookFile: resolve(playbook),
      inventoryFile: inventoryOf(flags),
      extraVars: await extraVarsOf(flags),
      host: flags.host,
      outDir,
    });
    out(`rendered ${written.files.length} files under ${outDir}\n`);
    return 0;
  } catch (e) {
    return reportError(e, flags.verbose > 0, projectOf(playbook, flags));
  }
}
