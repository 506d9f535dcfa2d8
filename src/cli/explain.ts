import type { HelpdeskVendor } from '../domain/ticket';
import type { Store } from '../store/types';

const when = (d: Date) => d.toISOString().replace('T', ' ').replace(/:\d{2}\.\d{3}Z$/, ' UTC');

const DIRECTION_WORDS: Record<string, string> = {
  escalate: 'escalated',
  handback: 'handed back',
  consult: 'sent for a consult',
  return: 'returned to the owner',
  reassign: 'reassigned',
};

const VERDICT_WORDS: Record<string, string> = {
  ok: 'ok',
  violation: 'VIOLATION',
  corrected: 'CORRECTED',
  info: 'noted',
};

/**
 * A ticket's story in plain words from the audit trail: its owner, every handoff, and every
 * decision with its rule. Reads the store only.
 */
export async function explainTicket(store: Store, vendor: HelpdeskVendor, connectionId: string, ticketId: string): Promise<string[]> {
  const ref = { vendor, connectionId, id: ticketId };
  const [owner, handoffs, decisions, link] = await Promise.all([
    store.getOwner(ref),
    store.listHandoffs(ref),
    store.listDecisions({ ticket: ref }),
    store.getLinkByTicket(ref),
  ]);
  const lines = [`${vendor} ticket ${ticketId} (connection ${connectionId})`];
  lines.push(
    owner
      ? `Owner (E1): agent ${owner.ownerId}${owner.ownerGroupId ? ` of group ${owner.ownerGroupId}` : ''}, since ${when(owner.since)}${owner.claimedAt ? `, claimed ${when(owner.claimedAt)}` : ''}`
      : 'Owner (E1): none recorded yet',
  );
  lines.push(link?.issueKey ? `Jira (J1/J4): ${link.issueKey}${link.missing.length ? `, still missing ${link.missing.join(', ')} (J5)` : ''}` : 'Jira (J1/J4): no linked issue');
  lines.push('', `Handoff trail (H5): ${handoffs.length} handoff(s)`);
  for (const h of handoffs) {
    const from = h.fromAssigneeId ?? h.fromGroupId ?? 'nobody';
    const to = h.toAssigneeId ? `agent ${h.toAssigneeId}` : h.toGroupId ? `group ${h.toGroupId}` : 'nobody';
    lines.push(`  ${when(h.at)}  ${DIRECTION_WORDS[h.direction] ?? h.direction} from ${from} to ${to}${h.actorId ? ` by ${h.actorId}` : ''}${h.commentId ? ` (with comment ${h.commentId})` : ''}`);
  }
  lines.push('', `Decisions: ${decisions.length}`);
  for (const d of decisions) {
    const acts = d.actions.length ? `  [actions: ${d.actions.map((a) => (a as { kind?: string; type?: string }).kind ?? (a as { type?: string }).type ?? 'action').join(', ')}]` : '';
    lines.push(`  ${when(d.at)}  ${d.ruleId.padEnd(3)} ${VERDICT_WORDS[d.verdict] ?? d.verdict}: ${d.summary}${d.actorId ? ` (about ${d.actorId})` : ''}${acts}`);
  }
  return lines;
}
