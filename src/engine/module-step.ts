/**
 * A module on one host after its arguments are rendered: plan, then apply when the plan changes
 * something and this is a real run. The engine's task step (engine/item.ts) uses the same rule, with
 * the reads made ahead beneath it; module tests call moduleStep itself rather than a copy of it.
 */
import type { ApplyResult, ModuleContext, ModuleDefinition, PlanResult } from '../modules/types.js';

/** Does the plan change something? (A plan that decided the task does not apply changes nothing.) */
export function planChanges(plan: PlanResult): boolean {
  return plan.changed && !plan.skipped;
}

export interface StepOutcome {
  plan: PlanResult;
  applied?: ApplyResult;
  changed: boolean;
}

export async function moduleStep(mod: ModuleDefinition, ctx: ModuleContext, args: Record<string, unknown>): Promise<StepOutcome> {
  const plan = await mod.plan(ctx, args);
  const applied = planChanges(plan) && !ctx.check ? await mod.apply(ctx, args, plan) : undefined;
  return { plan, applied, changed: applied?.changed ?? planChanges(plan) };
}
