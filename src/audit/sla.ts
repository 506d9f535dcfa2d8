import type { SlaState, TargetStage } from '../domain/sla';
import type { AuditSla } from './types';

/** Worst first: what a lead looks at first. */
const SEVERITY: readonly TargetStage[] = ['breached', 'met_late', 'running', 'paused', 'met'];

/**
 * S1-S3 as the sla job last read them. A target read as running whose due time has passed
 * since is breached now, though the job has not looked yet (it runs every few minutes).
 */
export function slaOf(state: SlaState | null, now: Date): AuditSla | null {
  if (!state) return null;
  const targets = state.targets.map((t) => {
    const overdue = t.stage === 'running' && t.dueAt !== null && Date.parse(t.dueAt) <= now.getTime();
    return {
      target: t.target,
      stage: overdue ? ('breached' as const) : t.stage,
      goal: t.goal?.text ?? null,
      dueAt: t.dueAt,
      metAt: t.metAt,
      breachedAt: overdue ? t.dueAt : t.breachedAt,
    };
  });
  const worst = SEVERITY.find((s) => targets.some((t) => t.stage === s)) ?? null;
  const f = state.fix;
  return {
    worst,
    targets,
    escalations: state.escalations.map((x) => ({ target: x.target, at: x.at, escalated: x.escalated })),
    fix: f
      ? { issueKey: f.issueKey, dueAt: f.dueAt, doneAt: f.doneAt, overdue: !f.doneAt && (f.markedAt !== null || (f.dueAt !== null && Date.parse(f.dueAt) <= now.getTime())) }
      : null,
    computedAt: state.computedAt,
  };
}
