import type { Decision, Store } from '../store/types';

export interface KnowledgeGap {
  vendor: string;
  connectionId: string;
  ticketId: string;
  at: string;
  summary: string;
}

/**
 * E5's knowledge-gap list: escalated tickets resolved without outcome, root cause or missing
 * documentation, whose latest E5 decision is still a violation (a later ok clears it).
 */
export async function knowledgeGaps(store: Store): Promise<KnowledgeGap[]> {
  const latest = new Map<string, Decision>();
  for (const d of await store.listDecisions({ ruleId: 'E5' })) {
    latest.set(`${d.ticket.vendor}/${d.ticket.connectionId}/${d.ticket.id}`, d);
  }
  return [...latest.values()]
    .filter((d) => d.verdict === 'violation')
    .map((d) => ({ vendor: d.ticket.vendor, connectionId: d.ticket.connectionId, ticketId: d.ticket.id, at: d.at.toISOString(), summary: d.summary }));
}
