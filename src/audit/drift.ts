import type { JiraIssue, Ticket } from '../domain/ticket';
import { holdsStatus, isDone, isSolved, statusMapFor } from '../mirror/status-map';
import type { Decision } from '../store/types';
import type { AuditSettings } from './settings';
import type { AuditDrift } from './types';

/**
 * M2/M6 as a lead reads it: the two sides of a pair disagree. Jira done is no drift whatever
 * the ticket says (the ticket goes back to its owner, who decides); otherwise the ticket must
 * hold the status the map gives the issue's, and the issue the priority the ticket's maps to.
 */
export function snapshotDrift(ticket: Ticket, issue: JiraIssue, settings: AuditSettings): AuditDrift[] {
  const out: AuditDrift[] = [];
  if (!isDone(issue.status, settings.mirror)) {
    const expected = statusMapFor(settings.mirror, ticket.vendor, ticket.connectionId)[issue.status.name.toLowerCase()] ?? null;
    if (isSolved(ticket.status)) {
      out.push({ field: 'status', ticketSide: ticket.status, jiraSide: issue.status.name, source: 'snapshots', detail: 'the ticket is solved while its issue is still open in Jira' });
    } else if (expected !== null && !holdsStatus(ticket.vendor, ticket.status, expected)) {
      out.push({ field: 'status', ticketSide: ticket.status, jiraSide: issue.status.name, source: 'snapshots', detail: `Jira's ${issue.status.name} stands for a ${expected} ticket` });
    }
  }
  if (ticket.priority) {
    const wanted = settings.priorityMap[ticket.priority];
    if ((issue.priority ?? '').toLowerCase() !== wanted.toLowerCase()) {
      out.push({ field: 'priority', ticketSide: ticket.priority, jiraSide: issue.priority ?? 'none', source: 'snapshots', detail: `a ${ticket.priority} ticket's issue is ${wanted} in Jira` });
    }
  }
  return out;
}

/**
 * The reconcile job's last word (M6) when it saw drift it could not repair: worth showing
 * while the snapshots have nothing newer to say about it.
 */
export function reconcileDrift(decisions: readonly Decision[], found: readonly AuditDrift[]): AuditDrift[] {
  const last = [...decisions].reverse().find((d) => d.ruleId === 'M6' && d.verdict !== 'info');
  if (!last || last.verdict !== 'violation') return [];
  const field = /^(\w+) drift/.exec(last.summary)?.[1] ?? 'pair';
  if (found.some((d) => d.field === field)) return [];
  return [{ field, ticketSide: '', jiraSide: '', source: 'reconcile', detail: last.summary }];
}
