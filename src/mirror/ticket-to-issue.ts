import type { DecisionDraft, Plan } from '../domain/actions';
import type { TicketChanges } from '../domain/diff';
import type { JiraIssue, Ticket } from '../domain/ticket';
import { reopenAdf, ticketCommentAdf } from './content';
import { isOurTicketChange, isOurTicketComment, writtenKeys } from './echo';
import { isSolved, jiraStatusesFor } from './status-map';
import type { MirrorIdentity, MirrorSettings, Pair } from './types';

export interface TicketToIssueInput {
  pair: Pair;
  ticket: Ticket;
  /** The ticket as last kept (or as the event says it was), null when it is new. */
  previous: Ticket | null;
  previousSavedAt: string | null;
  changes: TicketChanges;
  /** The issue as last kept. */
  issue: JiraIssue | null;
  actorId: string | null;
  settings: MirrorSettings;
  identity: MirrorIdentity;
  now: Date;
}

const ticketKey = (t: { vendor: string; connectionId: string; id: string }) => `${t.vendor}:${t.connectionId}:${t.id}`;
export const m3Key = (t: { vendor: string; connectionId: string; id: string }, commentId: string) => `M3:${ticketKey(t)}:comment:${commentId}`;

/**
 * M3: every reply and note since the link that is not ours and not yet mirrored, judged on the
 * whole thread (so a missed webhook, a poll and a reconcile produce the same keys).
 */
export function commentComments(pair: Pair, ticket: Ticket, identity: MirrorIdentity, settings: MirrorSettings): Plan {
  const done = writtenKeys(pair);
  const linkedAt = Date.parse(pair.linkedAt);
  const plan: Plan = { actions: [], decisions: [] };
  for (const c of ticket.comments) {
    const key = m3Key(ticket, c.id);
    if (done.has(key) || Date.parse(c.createdAt) < linkedAt || isOurTicketComment(c, pair, identity)) continue;
    if (!c.public && !settings.config.mirrorPrivateNotes) continue;
    plan.actions.push({ kind: 'jira.comment', key, rule: 'M3', ticket: pair.ticket, issue: pair.issue, body: ticketCommentAdf(ticket, c, key) });
    plan.decisions.push({
      ruleId: 'M3',
      verdict: 'ok',
      actorId: c.authorId,
      summary: `${c.public ? 'Public reply' : 'Private note'} ${c.id} by ${c.author?.name ?? c.authorId ?? 'unknown'} added to ${pair.issue.key}`,
      actionKeys: [key],
    });
  }
  return plan;
}

/** The ticket's priority goes to Jira where the helpdesk owns it. */
function priorityChange(input: TicketToIssueInput, plan: Plan): void {
  const { pair, ticket, previous, changes, settings, issue } = input;
  if (!previous || !changes.priority || !ticket.priority || settings.config.ownership.priority !== 'helpdesk') return;
  const name = settings.priorityMap[ticket.priority];
  const key = `M3:${ticketKey(ticket)}:priority:${previous.updatedAt}->${ticket.priority}`;
  if (issue?.priority === name || writtenKeys(pair).has(key)) return;
  plan.actions.push({ kind: 'jira.edit', key, rule: 'M3', ticket: pair.ticket, issue: pair.issue, fields: { priority: { name } } });
  plan.decisions.push({ ruleId: 'M3', verdict: 'ok', actorId: input.actorId, summary: `Ticket priority ${changes.priority.from ?? 'none'} -> ${ticket.priority}: ${pair.issue.key} priority set to ${name}`, actionKeys: [key] });
}

/** M4, and the status changes the helpdesk does not own. */
function statusChange(input: TicketToIssueInput, plan: Plan): void {
  const { pair, ticket, previous, changes, settings, issue } = input;
  if (!previous || !changes.status || changes.status.from === null) return;
  if (isOurTicketChange(pair, input.actorId, input.identity, input.previousSavedAt, ticket.status)) return;
  const reopened = isSolved(previous.status) && !isSolved(ticket.status);
  if (reopened) {
    const key = `M4:${ticketKey(ticket)}:${previous.updatedAt}`;
    const inWork = issue && settings.config.reopenStatuses.some((s) => s.toLowerCase() === issue.status.name.toLowerCase());
    if (inWork) {
      plan.decisions.push({ ruleId: 'M4', verdict: 'info', actorId: input.actorId, summary: `Ticket reopened; ${pair.issue.key} is already ${issue?.status.name}, so it was not moved`, actionKeys: [] });
      return;
    }
    if (writtenKeys(pair).has(key)) return;
    // The requester's reply that reopened it, where the change brought one.
    const lastWord = [...input.changes.newComments].reverse().find((c) => c.public && !isOurTicketComment(c, pair, input.identity)) ?? null;
    plan.actions.push({ kind: 'jira.transition', key, rule: 'M4', ticket: pair.ticket, issue: pair.issue, toStatuses: settings.config.reopenStatuses, comment: reopenAdf(ticket, previous.status, lastWord, key) });
    plan.decisions.push({ ruleId: 'M4', verdict: 'ok', actorId: input.actorId, summary: `Ticket reopened (${previous.status} -> ${ticket.status}): ${pair.issue.key} moved back to ${settings.config.reopenStatuses.join(' or ')}`, actionKeys: [key] });
    return;
  }
  if (settings.config.ownership.status === 'jira') {
    const d: DecisionDraft = {
      ruleId: 'M2',
      verdict: 'info',
      actorId: input.actorId,
      summary: `Ticket status ${previous.status} -> ${ticket.status} not sent to ${pair.issue.key}: Jira owns the engineering status (mirror.ownership.status)`,
      actionKeys: [],
    };
    plan.decisions.push(d);
    return;
  }
  const names = jiraStatusesFor(ticket.status, settings.statusMap, settings.config);
  const key = `M2:${ticketKey(ticket)}:${previous.updatedAt}->${ticket.status}`;
  if (writtenKeys(pair).has(key) || (issue && names.some((n) => n.toLowerCase() === issue.status.name.toLowerCase()))) return;
  if (!names.length) {
    plan.decisions.push({ ruleId: 'M2', verdict: 'info', actorId: input.actorId, summary: `Ticket status ${ticket.status} not sent to ${pair.issue.key}: no Jira status is mapped to it (mirror.statusMap)`, actionKeys: [] });
    return;
  }
  plan.actions.push({ kind: 'jira.transition', key, rule: 'M2', ticket: pair.ticket, issue: pair.issue, toStatuses: names });
  plan.decisions.push({ ruleId: 'M2', verdict: 'ok', actorId: input.actorId, summary: `Ticket status ${ticket.status} sent to ${pair.issue.key} (the helpdesk owns the status)`, actionKeys: [key] });
}

/** Helpdesk to Jira: M3 comments and priority, M4 reopen. */
export function mirrorTicketToIssue(input: TicketToIssueInput): Plan {
  const plan = commentComments(input.pair, input.ticket, input.identity, input.settings);
  priorityChange(input, plan);
  statusChange(input, plan);
  return plan;
}
