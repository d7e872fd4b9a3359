/**
 * typedModule(): a module written to the typed contract (TypedModule in ./types.ts) as the engine
 * runs it. Facts are read with one command, the pure plan decides, and the change is worded here,
 * once for every module: "would <change>" in --check, "<change>" when done. The default apply runs
 * the plan's commands. The typed specs are kept by name for the table tests (test/modules/tables/).
 */
import { mustRun } from './support/host-run.js';
import { plannedKey } from './support/planned.js';
import type { ApplyResult, ModuleContext, ModuleDefinition, Plan, PlanInput, PlanResult, TypedModule } from './types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const specs = new Map<string, TypedModule<any, any, any>>();

/** The typed spec of a module, if it is written to the typed contract. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function typedSpec(name: string): TypedModule<any, any, any> | undefined {
  return specs.get(name);
}

/** "would install x" in --check, "install x" otherwise; a note as is. */
export function wording(plan: Plan<unknown>, check: boolean): string | undefined {
  if (plan.change !== undefined) return check ? `would ${plan.change}` : plan.change;
  return plan.note;
}

export function planInput(ctx: ModuleContext): PlanInput {
  const s = ctx.state;
  return {
    host: ctx.host,
    check: ctx.check,
    diff: ctx.diff,
    pending: { packages: s.pendingPackages, paths: s.pendingPaths, users: s.pendingUsers },
    planned: (path) => s.cache.get(plannedKey(path)) as string | undefined,
    vars: ctx.vars,
    source: ctx.source,
  };
}

export function typedModule<A, F, P>(spec: TypedModule<A, F, P>): ModuleDefinition<A> {
  specs.set(spec.name, spec);
  const typedPlans = new WeakMap<PlanResult, Plan<P>>();
  const { fact, read, plan, apply, prepare, verify, ...rest } = spec;
  const prepared = new WeakMap<PlanResult, A>();
  return {
    ...rest,
    async plan(ctx, given) {
      const args = prepare ? prepare(given, ctx) : given;
      let facts = (read ? await read(ctx, args) : undefined) as F;
      const f = fact?.(args, ctx);
      if (f) {
        // a read: it may be answered by a read made ahead (src/engine/host-reads.ts) unless it is a wait
        const opts = { ...(f.become === false ? { become: false } : {}), timeoutMs: ctx.timeoutMs ?? f.timeoutMs, read: f.live !== true, join: f.join, preludes: f.preludes };
        facts = f.parse((await mustRun(ctx, f.command, `reading facts for ${spec.name}`, opts)).stdout);
      }
      const p = plan(args, facts, planInput(ctx));
      if (ctx.check && p.changed && verify) await verify(ctx, args, p);
      for (const n of p.pending?.packages ?? []) ctx.state.pendingPackages.add(n);
      for (const n of p.pending?.paths ?? []) ctx.state.pendingPaths.add(n);
      for (const n of p.pending?.users ?? []) ctx.state.pendingUsers.add(n);
      for (const [path, fingerprint] of Object.entries(p.planned ?? {})) ctx.state.cache.set(plannedKey(path), fingerprint);
      const out: PlanResult = { changed: p.changed, msg: wording(p, ctx.check), diff: p.diff, result: p.result, skipped: p.skipped, facts: p.facts, control: p.control };
      typedPlans.set(out, p);
      prepared.set(out, args);
      return out;
    },
    async apply(ctx, given, planned): Promise<ApplyResult> {
      const p = typedPlans.get(planned);
      const args = prepared.get(planned) ?? given;
      if (!p) throw new Error(`${spec.name}: apply without its plan`);
      if (apply) return apply(ctx, args, p);
      if (p.commands && p.commands.length > 0) await mustRun(ctx, p.commands.join(' && '), spec.name);
      return { changed: true, msg: wording(p, false) };
    },
  };
}
