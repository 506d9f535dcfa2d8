import type { Plan } from '../domain/actions';
import type { JiraIssue, Ticket } from '../domain/ticket';
import { writtenKeys } from './echo';
import { commentNotes, reversePriority } from './issue-to-ticket';
import { commentComments } from './ticket-to-issue';
import { holdsStatus, isDone, isSolved } from './status-map';
import type { Drift, MirrorIdentity, MirrorSettings, Pair, ReconcilePlan } from './types';

export interface ReconcileInput {
  pair: Pair;
  ticket: Ticket;
  issue: JiraIssue;
  settings: MirrorSettings;
  identity: MirrorIdentity;
  now: Date;
}

function merge(into: Plan, from: Plan): void {
  into.actions.push(...from.actions);
  into.decisions.push(...from.decisions);
}

/**
 * M6: both sides of a pair as they are now. Comments either side is missing are mirrored with
 * the same keys the event path uses, so a repair never repeats what a webhook already brought.
 * Status and priority drift is repaired toward the side that owns the field
 * (mirror.ownership), and reported where nothing says what the other side should be.
 */
export function reconcilePair(input: ReconcileInput): ReconcilePlan {
  const { pair, ticket, issue, settings, identity } = input;
  const plan: ReconcilePlan = { actions: [], decisions: [], drift: [] };
  const notes = commentNotes(pair, issue, identity);
  const comments = commentComments(pair, ticket, identity, settings);
  merge(plan, notes);
  merge(plan, comments);
  const missing = notes.actions.length + comments.actions.length;
  if (missing) {
    plan.drift.push({ field: 'comments', ticketSide: `${comments.actions.length} not in Jira`, jiraSide: `${notes.actions.length} not on the ticket`, repaired: true, reason: 'comments missed by their webhooks are mirrored now' });
  }
  const stamp = `${ticket.updatedAt}|${issue.updated}`;
  const base = `M6:${pair.ticket.vendor}:${pair.ticket.connectionId}:${pair.ticket.id}`;
  const done = writtenKeys(pair);
  const report = (d: Drift, verdict: 'corrected' | 'violation') => {
    plan.drift.push(d);
    plan.decisions.push({ ruleId: 'M6', verdict, actorId: null, summary: `${d.field} drift: ticket ${d.ticketSide}, ${pair.issue.key} ${d.jiraSide}: ${d.reason}`, actionKeys: d.repaired ? [`${base}:${d.field}:${stamp}`] : [] });
  };

  // Status. Jira done leaves the ticket to its owner, solved or not; otherwise it follows the map.
  if (!isDone(issue.status, settings.config)) {
    const expected = settings.statusMap[issue.status.name.toLowerCase()] ?? null;
    const key = `${base}:status:${stamp}`;
    const vendor = pair.ticket.vendor === 'jira' ? null : pair.ticket.vendor;
    // Zendesk and Freshdesk keep in_progress as open (Freshdesk on_hold as pending): not drift.
    const holds = expected !== null && (vendor ? holdsStatus(vendor, ticket.status, expected) : ticket.status === expected);
    if (expected === null) {
      plan.drift.push({ field: 'status', ticketSide: ticket.status, jiraSide: issue.status.name, repaired: false, reason: 'no ticket status is mapped to the Jira status (mirror.statusMap)' });
      plan.decisions.push({ ruleId: 'M6', verdict: 'info', actorId: null, summary: `status: ${pair.issue.key} is ${issue.status.name}, which no ticket status is mapped to (mirror.statusMap); the ticket's ${ticket.status} is left as it is`, actionKeys: [] });
    } else if (!holds) {
      if (isSolved(ticket.status)) {
        report({ field: 'status', ticketSide: ticket.status, jiraSide: issue.status.name, repaired: false, reason: 'the ticket was solved while the issue is still open in Jira; left for a person to decide' }, 'violation');
      } else if (settings.config.ownership.status === 'jira' && !done.has(key)) {
        plan.actions.push({ kind: 'helpdesk.update', key, rule: 'M6', ticket: pair.ticket, patch: { status: expected } });
        report({ field: 'status', ticketSide: ticket.status, jiraSide: issue.status.name, repaired: true, reason: `ticket set ${expected} (Jira owns the engineering status)` }, 'corrected');
      } else if (settings.config.ownership.status !== 'jira') {
        report({ field: 'status', ticketSide: ticket.status, jiraSide: issue.status.name, repaired: false, reason: 'the helpdesk owns the status; Jira is not moved by a reconcile' }, 'violation');
      }
    }
  }

  // Priority, toward its owner.
  if (ticket.priority) {
    const jiraName = settings.priorityMap[ticket.priority];
    if ((issue.priority ?? '').toLowerCase() !== jiraName.toLowerCase()) {
      const key = `${base}:priority:${stamp}`;
      if (settings.config.ownership.priority === 'helpdesk' && !done.has(key)) {
        plan.actions.push({ kind: 'jira.edit', key, rule: 'M6', ticket: pair.ticket, issue: pair.issue, fields: { priority: { name: jiraName } } });
        report({ field: 'priority', ticketSide: ticket.priority, jiraSide: issue.priority ?? 'none', repaired: true, reason: `Jira priority set to ${jiraName} (the helpdesk owns the priority)` }, 'corrected');
      } else if (settings.config.ownership.priority === 'jira') {
        const to = reversePriority(settings, issue.priority);
        if (to && !done.has(key)) {
          plan.actions.push({ kind: 'helpdesk.update', key, rule: 'M6', ticket: pair.ticket, patch: { priority: to } });
          report({ field: 'priority', ticketSide: ticket.priority, jiraSide: issue.priority ?? 'none', repaired: true, reason: `ticket priority set to ${to} (Jira owns the priority)` }, 'corrected');
        } else if (!to) {
          report({ field: 'priority', ticketSide: ticket.priority, jiraSide: issue.priority ?? 'none', repaired: false, reason: 'no ticket priority maps to the Jira priority (jiraIssues.priorityMap)' }, 'violation');
        }
      }
    }
  }
  return plan;
}
