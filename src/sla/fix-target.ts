import type { IssueTarget } from '../domain/actions';
import type { FixTargetState, Goal } from '../domain/sla';
import type { EntityRef, JiraIssue } from '../domain/ticket';
import { goalMs } from './duration';
import type { SlaPlan } from './escalate';
import { fixOverdueAdf, fixOverdueNote } from './notes';

/**
 * S3: a linked bug's fix target, per Jira priority, counted round the clock from the issue's
 * creation (engineering does not keep the support desk's hours). Marked overdue once: a label,
 * a Jira comment, and a private note on the ticket for its owner.
 */

const DAY_MS = 86_400_000;

/** The goal of a Jira priority, matched by name in any case. */
export function fixGoalOf(targets: Readonly<Record<string, Goal>>, priority: string | null): Goal | null {
  if (!priority) return null;
  const wanted = priority.toLowerCase();
  const hit = Object.entries(targets).find(([name]) => name.toLowerCase() === wanted);
  return hit ? hit[1] : null;
}

/** Done in Jira: the done status category, or one of the done statuses by name. */
export function isDone(issue: JiraIssue, doneStatuses: readonly string[]): boolean {
  if (issue.status.categoryKey === 'done') return true;
  const name = issue.status.name.toLowerCase();
  return doneStatuses.some((s) => s.toLowerCase() === name);
}

/** The fix target as the issue stands; a reopened issue is not done any more. */
export function readFixTarget(issue: JiraIssue, kept: FixTargetState | null, targets: Readonly<Record<string, Goal>>, doneStatuses: readonly string[]): FixTargetState {
  const goal = fixGoalOf(targets, issue.priority);
  const created = Date.parse(issue.created);
  const dueAt = goal && !Number.isNaN(created) ? new Date(created + goalMs(goal, DAY_MS)).toISOString() : null;
  const done = isDone(issue, doneStatuses);
  return {
    issueKey: issue.key,
    issueId: issue.id,
    jiraPriority: issue.priority,
    goal,
    dueAt,
    doneAt: done ? (kept?.doneAt ?? new Date(Date.parse(issue.updated)).toISOString()) : null,
    markedAt: kept?.issueId === issue.id ? kept.markedAt : null,
  };
}

export const fixKey = (issue: IssueTarget, part: string): string => `S3:${issue.connectionId}:${issue.id}:overdue:${part}`;

/** The overdue marking, when the target ran out, the issue is not done and it was not marked yet. */
export function planFixOverdue(fix: FixTargetState, ticket: EntityRef, ticketLabel: string, issue: IssueTarget, label: string, now: Date): { fix: FixTargetState; plan: SlaPlan } {
  const plan: SlaPlan = { actions: [], decisions: [] };
  if (!fix.dueAt || !fix.goal || fix.doneAt || fix.markedAt || Date.parse(fix.dueAt) > now.getTime()) return { fix, plan };
  const lateMs = now.getTime() - Date.parse(fix.dueAt);
  const keys = { label: fixKey(issue, 'label'), comment: fixKey(issue, 'comment'), note: fixKey(issue, 'note') };
  plan.actions.push(
    { kind: 'jira.edit', key: keys.label, rule: 'S3', ticket, issue, update: { labels: [{ add: label }] } },
    { kind: 'jira.comment', key: keys.comment, rule: 'S3', ticket, issue, body: fixOverdueAdf(ticketLabel, fix.jiraPriority, fix.goal.text, fix.dueAt, lateMs, keys.comment) },
    { kind: 'helpdesk.note', key: keys.note, rule: 'S3', ticket, html: fixOverdueNote(issue.key, fix.jiraPriority, fix.goal.text, fix.dueAt, lateMs, keys.note) },
  );
  plan.decisions.push({
    ruleId: 'S3',
    verdict: 'violation',
    summary: `${issue.key}${fix.jiraPriority ? ` (${fix.jiraPriority})` : ''} past its fix target of ${fix.goal.text}: due ${fix.dueAt}; labelled ${label}, commented in Jira, owner told`,
    actorId: null,
    actionKeys: Object.values(keys),
    key: fixKey(issue, 'marked'),
  });
  return { fix: { ...fix, markedAt: now.toISOString() }, plan };
}
