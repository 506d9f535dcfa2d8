import type { JiraIssue, Ticket } from '../domain/ticket';
import { missingKnowledge } from '../policy/knowledge';
import type { Decision, Store } from '../store/types';
import type { AuditSettings } from './settings';
import type { KnowledgeGapItem } from './types';

/**
 * E5's knowledge gaps: escalated tickets resolved without outcome, root cause or missing
 * documentation, whose latest E5 decision is still a violation (a later ok clears it), with
 * what a lead needs to chase them (subject, Jira key, owner).
 */
export async function knowledgeGaps(store: Store, settings: AuditSettings): Promise<KnowledgeGapItem[]> {
  const latest = new Map<string, Decision>();
  for (const d of await store.listDecisions({ ruleId: 'E5' })) {
    latest.set(JSON.stringify([d.ticket.vendor, d.ticket.connectionId, d.ticket.id]), d);
  }
  const open = [...latest.values()].filter((d) => d.verdict === 'violation');
  return Promise.all(
    open.map(async (d) => {
      const [snapshot, link, owner] = await Promise.all([store.getSnapshot(d.ticket), store.getLinkByTicket(d.ticket), store.getOwner(d.ticket)]);
      const ticket = (snapshot?.data ?? null) as Ticket | null;
      const issueSnapshot = link?.issueId ? await store.getSnapshot({ vendor: 'jira', connectionId: link.jiraConnectionId, id: link.issueId }) : null;
      const issue = (issueSnapshot?.data ?? null) as JiraIssue | null;
      // What the ticket lacks now, read as E5 reads it; the decision's own words say what it lacked then.
      const missing: string[] = ticket ? missingKnowledge(ticket, settings.policy) : [];
      return {
        vendor: d.ticket.vendor as KnowledgeGapItem['vendor'],
        connectionId: d.ticket.connectionId,
        ticketId: d.ticket.id,
        subject: ticket?.subject ?? null,
        ticketUrl: ticket?.url ?? null,
        issueKey: link?.issueKey ?? null,
        issueUrl: issue?.url ?? null,
        ownerId: owner?.ownerId ?? ticket?.assigneeId ?? null,
        resolvedAt: ticket && (ticket.status === 'resolved' || ticket.status === 'closed') ? ticket.updatedAt : null,
        missing,
        at: d.at.toISOString(),
        summary: d.summary,
      };
    }),
  );
}
