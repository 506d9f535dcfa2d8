import { KNOWLEDGE_TITLES, type KnowledgePart } from '../policy/knowledge';
import type { AuditCompleteness, AuditDrift, AuditKnowledge, AuditProblem, AuditSla, AuditViolation } from './types';

/**
 * Rules whose state has a problem of its own below, read from what holds now (the link's
 * missing sections, the snapshots, the SLA clock, the ticket's notes) rather than from the
 * violation recorded when it began: a bug completed since is no longer incomplete.
 */
const OWN_PROBLEM = new Set(['J5', 'M6', 'E5', 'S1', 'S2', 'S3']);

/** "H3: Tier 2 replied publicly" reads "Tier 2 replied publicly" beside its rule id. */
const withoutRule = (ruleId: string, summary: string) => summary.replace(new RegExp(`^${ruleId}:\\s*`), '');

export interface ProblemFacts {
  /** The raise has been under way longer than settings allow. */
  raiseStuck: boolean;
  ticketSeen: boolean;
  completeness: AuditCompleteness;
  drift: readonly AuditDrift[];
  sla: AuditSla | null;
  violations: readonly AuditViolation[];
  knowledge: AuditKnowledge | null;
}

/**
 * What needs a lead's attention, each with the rule it concerns. A violation helpdesk-sync
 * corrected itself is in the pair's violations but is not a problem: nothing is left to do.
 */
export function problemsOf(f: ProblemFacts): AuditProblem[] {
  const out: AuditProblem[] = [];
  if (f.raiseStuck) out.push({ code: 'raise_stuck', ruleId: 'J1', text: 'the Jira issue is still being raised' });
  if (!f.ticketSeen) out.push({ code: 'ticket_unseen', ruleId: 'J2', text: 'no state of the ticket is kept' });
  if (f.completeness.needsInfo) out.push({ code: 'incomplete', ruleId: 'J5', text: `needs info: ${f.completeness.missing.join(', ')}` });
  for (const d of f.drift) out.push({ code: 'drift', ruleId: 'M6', text: d.source === 'reconcile' ? d.detail : `${d.field}: ticket ${d.ticketSide}, Jira ${d.jiraSide}` });
  const breached = f.sla?.targets.filter((t) => t.stage === 'breached' || t.stage === 'met_late') ?? [];
  for (const t of breached) out.push({ code: 'sla_breach', ruleId: 'S2', text: `${t.target.replace('_', ' ')} ${t.stage === 'met_late' ? 'met late' : 'breached'}` });
  if (f.sla?.fix?.overdue) out.push({ code: 'fix_overdue', ruleId: 'S3', text: `${f.sla.fix.issueKey} is past its fix target` });
  const open = new Map<string, AuditViolation>();
  for (const v of f.violations) if (v.verdict === 'violation' && !OWN_PROBLEM.has(v.ruleId)) open.set(v.ruleId, v);
  for (const v of open.values()) out.push({ code: 'violation', ruleId: v.ruleId, text: withoutRule(v.ruleId, v.summary) });
  if (f.knowledge && f.knowledge.missing.length > 0) out.push({ code: 'knowledge_gap', ruleId: 'E5', text: `resolved without ${f.knowledge.missing.map((p) => KNOWLEDGE_TITLES[p as KnowledgePart]?.toLowerCase() ?? p).join(', ')}` });
  return out;
}
