import { DIRECTION_WORDS } from '../audit/trail';
import type { HelpdeskVendor } from '../domain/ticket';
import type { SlaState } from '../domain/sla';
import { formatSpan } from '../sla/duration';
import { TARGET_WORDS } from '../sla/notes';
import type { Decision, EntitySnapshot, Handoff, SlaRecord, Store, TicketLink, TicketOwner } from '../store/types';
import type { EntityRef } from '../domain/ticket';

const when = (d: Date) => d.toISOString().replace('T', ' ').replace(/:\d{2}\.\d{3}Z$/, ' UTC');

const VERDICT_WORDS: Record<string, string> = {
  ok: 'ok',
  violation: 'VIOLATION',
  corrected: 'CORRECTED',
  info: 'noted',
};

/** Everything the store keeps about one ticket that explain tells. */
export interface TicketFacts {
  ticket: EntityRef;
  /** The store has seen the ticket: a snapshot, an owner, a link, an SLA record, a handoff or a decision. */
  known: boolean;
  snapshot: EntitySnapshot | null;
  owner: TicketOwner | null;
  link: TicketLink | null;
  sla: SlaRecord | null;
  handoffs: Handoff[];
  decisions: Decision[];
}

/** Reads the store only. */
export async function ticketFacts(store: Store, vendor: HelpdeskVendor, connectionId: string, ticketId: string): Promise<TicketFacts> {
  const ref = { vendor, connectionId, id: ticketId };
  const [snapshot, owner, handoffs, decisions, link, sla] = await Promise.all([
    store.getSnapshot(ref),
    store.getOwner(ref),
    store.listHandoffs(ref),
    store.listDecisions({ ticket: ref }),
    store.getLinkByTicket(ref),
    store.getSla(ref),
  ]);
  const known = !!(snapshot || owner || link || sla || handoffs.length || decisions.length);
  return { ticket: ref, known, snapshot, owner, link, sla, handoffs, decisions };
}

/** `explain --json`: the facts, the snapshot reduced to when it was saved (its data is the vendor's whole ticket). */
export function explainJson(f: TicketFacts) {
  const { snapshot, ...rest } = f;
  return {
    ...rest,
    snapshot: snapshot && { savedAt: snapshot.savedAt, vendorUpdatedAt: snapshot.vendorUpdatedAt, deleted: snapshot.deleted },
  };
}

/** What `explain` says on stderr (with exit status 1) about a ticket the store never saw. */
export function unknownTicketMessage(ref: EntityRef): string {
  return (
    `helpdesk-sync has no record of ${ref.vendor} ticket ${ref.id} on connection "${ref.connectionId}": no snapshot, owner, Jira link, SLA record, handoff or decision. ` +
    'Check --vendor, --connection and the ticket id; a ticket is known once an event of it has been processed.'
  );
}

/**
 * A ticket's story in plain words from the audit trail: its owner, every handoff, and every
 * decision with its rule. Reads the store only.
 */
export async function explainTicket(store: Store, vendor: HelpdeskVendor, connectionId: string, ticketId: string): Promise<string[]> {
  return explainLines(await ticketFacts(store, vendor, connectionId, ticketId));
}

export function explainLines(f: TicketFacts): string[] {
  const { owner, handoffs, decisions, link, sla } = f;
  const { vendor, connectionId, id: ticketId } = f.ticket;
  const lines = [`${vendor} ticket ${ticketId} (connection ${connectionId})`];
  lines.push(
    owner
      ? `Owner (E1): agent ${owner.ownerId}${owner.ownerGroupId ? ` of group ${owner.ownerGroupId}` : ''}, since ${when(owner.since)}${owner.claimedAt ? `, claimed ${when(owner.claimedAt)}` : ''}`
      : 'Owner (E1): none recorded yet',
  );
  lines.push(link?.issueKey ? `Jira (J1/J4): ${link.issueKey}${link.missing.length ? `, still missing ${link.missing.join(', ')} (J5)` : ''}` : 'Jira (J1/J4): no linked issue');
  lines.push('', ...slaLines(sla?.state ?? null));
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

const STAGE_WORDS: Record<string, string> = {
  running: 'running',
  paused: 'paused',
  met: 'met',
  met_late: 'met LATE',
  breached: 'BREACHED',
};

const at = (iso: string | null) => (iso ? when(new Date(iso)) : 'unknown');

/** S1-S3 as kept: each target's reading when last computed, the escalations, the fix target. */
export function slaLines(state: SlaState | null): string[] {
  if (!state) return ['Service levels (S1-S3): not tracked yet (no event of this ticket processed since SLA tracking began)'];
  const how = state.calendar ? `business hours (${state.calendar})` : 'round the clock';
  const lines = [`Service levels (S1-S3): ${state.history.priority ?? 'no'} priority, counted ${how}, as of ${at(state.computedAt)}`];
  for (const c of state.targets) {
    const goal = c.goal ? ` ${c.goal.text}` : c.source === 'helpdesk' ? ' (helpdesk policy)' : '';
    const detail =
      c.stage === 'running'
        ? `due ${at(c.dueAt)}, ${formatSpan(c.remainingMs)} left`
        : c.stage === 'paused'
          ? `${formatSpan(c.remainingMs)} left when it resumes`
          : c.stage === 'met'
            ? `at ${at(c.metAt)}`
            : c.stage === 'met_late'
              ? `at ${at(c.metAt)}, due ${at(c.breachedAt)}`
              : `due ${at(c.breachedAt)}, ${formatSpan(-c.remainingMs)} over`;
    lines.push(`  ${TARGET_WORDS[c.target]}${goal}: ${STAGE_WORDS[c.stage] ?? c.stage}, ${detail}`);
  }
  for (const x of state.escalations) {
    const what = x.escalated ? `escalated ${at(x.at)} (S2), ${formatSpan(x.lateMs)} late${x.reassignedTo ? `, moved to group ${x.reassignedTo}` : ''}` : `breached before tracking began; recorded ${at(x.at)}, not escalated`;
    lines.push(`  ${TARGET_WORDS[x.target]} breach: ${what}`);
  }
  const f = state.fix;
  if (f) {
    const status = f.doneAt ? `done ${at(f.doneAt)}` : f.markedAt ? `OVERDUE, marked ${at(f.markedAt)}` : f.dueAt ? `due ${at(f.dueAt)}` : 'no target for its priority';
    lines.push(`  fix target (S3) of ${f.issueKey}${f.jiraPriority ? ` (${f.jiraPriority}${f.goal ? `, ${f.goal.text}` : ''})` : ''}: ${status}`);
  }
  return lines;
}
