import type { JiraIssue, Ticket } from '../../src/domain/ticket';
import type { Decision, Handoff, Store } from '../../src/store/types';
import { owner, zd, ZD } from '../policy/fixtures';

export interface SeedPair {
  ticket: Ticket;
  issue: JiraIssue | null;
  kind?: 'bug' | 'request';
  missing?: string[];
  linkedAt: Date;
  handoffs?: Handoff[];
  decisions?: Decision[];
}

/** Writes a pair the way the service does: the link reserved then completed (J1), the snapshots, the owner, the trail. */
export async function seedPair(store: Store, p: SeedPair): Promise<void> {
  const ref = { vendor: p.ticket.vendor, connectionId: p.ticket.connectionId, id: p.ticket.id };
  await store.reserveLink(ref, 'default', p.linkedAt);
  if (p.issue) await store.completeLink(ref, { issueId: p.issue.id, issueKey: p.issue.key, kind: p.kind ?? 'bug', missing: p.missing ?? [] }, p.linkedAt);
  await store.saveSnapshot({ ref, data: p.ticket, vendorUpdatedAt: p.ticket.updatedAt, savedAt: new Date(p.ticket.updatedAt), deleted: false });
  if (p.issue) await store.saveSnapshot({ ref: { vendor: 'jira', connectionId: 'default', id: p.issue.id }, data: p.issue, vendorUpdatedAt: p.issue.updated, savedAt: new Date(p.issue.updated), deleted: false });
  await store.setOwner(owner(p.ticket, zd.dana, ZD.tier1));
  for (const h of p.handoffs ?? []) await store.appendHandoff(h);
  for (const d of p.decisions ?? []) await store.recordDecision(d);
}
