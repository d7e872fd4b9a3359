/**
 * Module table tests, without hosts (pyinfra's operation tests are the model): every file in
 * test/modules/tables/<module>/*.yaml is a list of cases, each the module's arguments and the host's
 * facts (as the fact command prints them, `stdout`, or already parsed, `facts`) and what the pure
 * plan must decide. Only the keys a case lists under `expect` are compared:
 *
 *   changed, skipped, msg (worded as the run shows it: "would ..." when input.check), commands,
 *   diff, result, pending, planned, facts, control, fact_command, error (a regex the plan's error must match)
 * `input` may give check, diff, host, pending (what earlier tasks install), planned (path -> the
 * fingerprint an earlier task brings it to) and vars (the task's).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { typedSpec, wording } from '../../src/modules/contract.js';
import { moduleNames } from '../../src/modules/index.js';
import type { PlanInput } from '../../src/modules/types.js';

const DIR = join(import.meta.dirname, 'tables');

interface Case {
  name: string;
  args: Record<string, unknown>;
  stdout?: string;
  facts?: unknown;
  input?: { planned?: Record<string, string>; check?: boolean; diff?: boolean; host?: string; vars?: Record<string, unknown>; pending?: { packages?: string[]; paths?: string[]; users?: string[] } };
  expect: Record<string, unknown>;
}

function input(c: Case): PlanInput {
  const p = c.input?.pending ?? {};
  return {
    host: c.input?.host ?? 'node',
    check: c.input?.check ?? false,
    diff: c.input?.diff ?? false,
    pending: { packages: new Set(p.packages), paths: new Set(p.paths), users: new Set(p.users) },
    vars: c.input?.vars ?? {},
    source: { file: 'table.yaml', line: 1 },
    planned: (path) => c.input?.planned?.[path],
  };
}

const modules = readdirSync(DIR).sort();

t.test('every table is for a module written to the typed contract', async (t) => {
  for (const m of modules) {
    t.ok(moduleNames().includes(m), `${m} is a module`);
    t.ok(typedSpec(m), `${m} has a typed spec`);
  }
});

let total = 0;
for (const m of modules) {
  t.test(m, async (t) => {
    const spec = typedSpec(m)!;
    for (const file of readdirSync(join(DIR, m)).filter((f) => f.endsWith('.yaml')).sort()) {
      const cases = parse(readFileSync(join(DIR, m, file), 'utf8')) as Case[];
      for (const c of cases) {
        total++;
        const what = `${file}: ${c.name}`;
        let plan;
        try {
          // the fact step may refuse arguments too (a relative path), before anything runs
          const fact = spec.fact?.(c.args, { check: input(c).check });
          if ('fact_command' in c.expect) t.equal(fact?.command ?? null, c.expect.fact_command, `${what}: fact command`);
          const facts = c.stdout !== undefined ? fact!.parse(c.stdout) : c.facts;
          plan = spec.plan(c.args, facts, input(c));
        } catch (err) {
          if (typeof c.expect.error === 'string') t.match((err as Error).message, new RegExp(c.expect.error), what);
          else t.fail(`${what}: ${(err as Error).message}`);
          continue;
        }
        if ('error' in c.expect) {
          t.fail(`${what}: expected an error, got a plan`);
          continue;
        }
        const got: Record<string, unknown> = {
          changed: plan.changed,
          skipped: plan.skipped ?? false,
          msg: wording(plan, input(c).check),
          commands: plan.changed ? (plan.commands ?? []) : [],
          diff: plan.diff,
          result: plan.result,
          pending: plan.pending,
          planned: plan.planned,
          facts: plan.facts,
          control: plan.control,
        };
        for (const [k, want] of Object.entries(c.expect)) if (k !== 'fact_command') t.same(got[k], want, `${what}: ${k}`);
      }
    }
  });
}

t.test('there are table cases', async (t) => {
  t.ok(total > 0);
  t.comment(`${total} table cases`);
});
