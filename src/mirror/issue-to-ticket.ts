import type { DecisionDraft, Plan, WriteAction } from '../domain/actions';
import type { CanonicalPriority, CanonicalStatus, JiraComment, JiraIssue, Ticket, TicketPatch } from '../domain/ticket';
import { doneNote, jiraCommentNote, statusNote } from './content';
import { isOurJiraChange, isOurJiraComment, writtenKeys } from './echo';
import { holdsStatus, isDone, isSolved } from './status-map';
import type { MirrorIdentity, MirrorSettings, Pair } from './types';

export interface IssueToTicketInput {
  pair: Pair;
  issue: JiraIssue;
  /** The issue as last kept, null the first time. */
  previous: JiraIssue | null;
  previousSavedAt: string | null;
  /** The ticket as last kept. */
  ticket: Ticket | null;
  /** Who made this change, as the event says. */
  actorId: string | null;
  settings: MirrorSettings;
  identity: MirrorIdentity;
  now: Date;
}

export const m1Key = (issue: { connectionId: string; id: string }, commentId: string) => `M1:${issue.connectionId}:${issue.id}:comment:${commentId}`;

/**
 * M1: every Jira comment since the link that is not ours and not yet mirrored. Judged on the
 * whole list, not on what this event brought: a missed webhook, a poll and a reconcile then
 * produce the same keys, and the executor writes each once.
 */
export function commentNotes(pair: Pair, issue: JiraIssue, identity: MirrorIdentity): Plan {
  const done = writtenKeys(pair);
  const linkedAt = Date.parse(pair.linkedAt);
  const plan: Plan = { actions: [], decisions: [] };
  for (const c of issue.comments) {
    const key = m1Key(issue, c.id);
    if (done.has(key) || Date.parse(c.created) < linkedAt || isOurJiraComment(c, pair, identity)) continue;
    plan.actions.push({ kind: 'helpdesk.note', key, rule: 'M1', ticket: pair.ticket, html: jiraCommentNote(issue.key, c as JiraComment, key) });
    plan.decisions.push({ ruleId: 'M1', verdict: 'ok', actorId: c.authorAccountId, summary: `Jira comment ${c.id} on ${issue.key} by ${c.authorName ?? c.authorAccountId ?? 'unknown'} noted privately on the ticket`, actionKeys: [key] });
  }
  return plan;
}

function reversePriority(settings: MirrorSettings, jiraName: string | null): CanonicalPriority | null {
  if (!jiraName) return null;
  const hit = (Object.entries(settings.priorityMap) as Array<[CanonicalPriority, string]>).find(([, name]) => name.toLowerCase() === jiraName.toLowerCase());
  return hit ? hit[0] : null;
}

/** M2: the status moved in Jira, by someone other than us. */
function statusChange(input: IssueToTicketInput, plan: Plan): void {
  const { pair, issue, previous, ticket, settings } = input;
  if (!previous || previous.status.name === issue.status.name) return;
  if (isOurJiraChange(pair, input.actorId, input.identity, 'jira.transition', issue.status.name, input.previousSavedAt)) return;
  const base = `M2:${issue.connectionId}:${issue.id}:${previous.updated}->${issue.status.name}`;
  const done = writtenKeys(pair);
  const jiraOwns = settings.config.ownership.status === 'jira';
  const decision: DecisionDraft = { ruleId: 'M2', verdict: 'ok', actorId: input.actorId, summary: '', actionKeys: [] };
  const push = (action: WriteAction) => {
    if (done.has(action.key)) return;
    plan.actions.push(action);
    decision.actionKeys.push(action.key);
  };
  const vendor = pair.ticket.vendor === 'jira' ? null : pair.ticket.vendor;
  const holds = (t: Ticket, status: CanonicalStatus) => (vendor ? holdsStatus(vendor, t.status, status) : t.status === status);
  if (isDone(issue.status, settings.config)) {
    const status = settings.config.resolveTicketOnDone ? 'resolved' : 'open';
    const owner = pair.owner;
    // Done to done (Completed to Closed, as in the SUP-20 incident), or a ticket the owner already solved: the
    // hand-back happened; reopening a solved ticket would undo the owner's confirmation.
    const wasDone = isDone(previous.status, settings.config);
    if (wasDone || (ticket !== null && isSolved(ticket.status))) {
      const remark = wasDone ? 'Jira was already done, so the ticket is left as it is.' : `The ticket is already ${ticket?.status ?? ''}, so it is left as it is.`;
      push({ kind: 'helpdesk.note', key: `${base}:note`, rule: 'M2', ticket: pair.ticket, html: statusNote(issue.key, previous.status.name, issue.status.name, null, `${base}:note`, remark) });
      decision.summary = `${issue.key} moved ${previous.status.name} -> ${issue.status.name}; ${remark}`;
      plan.decisions.push(decision);
      return;
    }
    push({ kind: 'helpdesk.note', key: `${base}:note`, rule: 'M2', ticket: pair.ticket, html: doneNote(issue.key, issue.status.name, owner !== null, `${base}:note`, jiraOwns) });
    // A null group is left alone rather than cleared.
    const patch: TicketPatch = { status, ...(owner ? { assigneeId: owner.ownerId, ...(owner.ownerGroupId !== null ? { groupId: owner.ownerGroupId } : {}) } : {}) };
    const already =
      ticket !== null && holds(ticket, status) && (!owner || (ticket.assigneeId === owner.ownerId && (owner.ownerGroupId === null || ticket.groupId === owner.ownerGroupId)));
    if (jiraOwns && !already) push({ kind: 'helpdesk.update', key: `${base}:owner`, rule: 'M2', ticket: pair.ticket, patch });
    decision.summary = owner
      ? `${issue.key} is ${issue.status.name}: ticket returned to its owner ${owner.ownerId}, ${status}, to confirm with the requester`
      : `${issue.key} is ${issue.status.name}: no owner recorded (E1); ticket set ${status}`;
    if (!owner) decision.verdict = 'info';
  } else {
    const mapped = settings.statusMap[issue.status.name.toLowerCase()] ?? null;
    // A closed ticket takes no more changes (Zendesk refuses them): noted, not moved.
    const closed = ticket?.status === 'closed';
    const apply = jiraOwns && mapped !== null && !closed && !(ticket && holds(ticket, mapped));
    const remark = closed && jiraOwns && mapped !== null ? 'The ticket is closed, so its status is left as it is.' : undefined;
    push({ kind: 'helpdesk.note', key: `${base}:note`, rule: 'M2', ticket: pair.ticket, html: statusNote(issue.key, previous.status.name, issue.status.name, apply ? mapped : null, `${base}:note`, remark) });
    if (apply) push({ kind: 'helpdesk.update', key: `${base}:status`, rule: 'M2', ticket: pair.ticket, patch: { status: mapped } });
    decision.summary = `${issue.key} moved ${previous.status.name} -> ${issue.status.name}${apply ? `; ticket set ${mapped}` : mapped === null ? '; no ticket status is mapped to it (mirror.statusMap)' : remark ? `; ${remark}` : ''}`;
  }
  if (!jiraOwns) {
    decision.verdict = 'info';
    decision.summary += '; the helpdesk owns the status (mirror.ownership.status), so the ticket status was not changed';
  }
  plan.decisions.push(decision);
}

/** A Jira priority change: applied to the ticket only where Jira owns the priority. */
function priorityChange(input: IssueToTicketInput, plan: Plan): void {
  const { pair, issue, previous, ticket, settings } = input;
  if (!previous || previous.priority === issue.priority) return;
  if (isOurJiraChange(pair, input.actorId, input.identity, 'jira.edit', `priority:${issue.priority ?? ''}`, input.previousSavedAt)) return;
  const key = `M2:${issue.connectionId}:${issue.id}:${previous.updated}:priority->${issue.priority ?? 'none'}`;
  if (settings.config.ownership.priority !== 'jira') {
    plan.decisions.push({ ruleId: 'M2', verdict: 'info', actorId: input.actorId, summary: `${issue.key} priority changed ${previous.priority ?? 'none'} -> ${issue.priority ?? 'none'} in Jira; the helpdesk owns the ticket's priority (mirror.ownership.priority), so the ticket keeps ${ticket?.priority ?? 'its own'}`, actionKeys: [] });
    return;
  }
  const to = reversePriority(settings, issue.priority);
  if (!to || ticket?.priority === to || writtenKeys(pair).has(key)) return;
  plan.actions.push({ kind: 'helpdesk.update', key, rule: 'M2', ticket: pair.ticket, patch: { priority: to } });
  plan.decisions.push({ ruleId: 'M2', verdict: 'ok', actorId: input.actorId, summary: `${issue.key} priority ${issue.priority} -> ticket priority ${to}`, actionKeys: [key] });
}

/** Jira to helpdesk: M1 comments, M2 status (and the owner's return), priority where Jira owns it. */
export function mirrorIssueToTicket(input: IssueToTicketInput): Plan {
  const plan = commentNotes(input.pair, input.issue, input.identity);
  statusChange(input, plan);
  priorityChange(input, plan);
  return plan;
}

export { reversePriority };
