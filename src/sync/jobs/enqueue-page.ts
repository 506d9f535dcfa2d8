import { entityKeyOf, type Store } from '../../store/types';
import { ENQUEUED_VERDICTS, judgeRecord, type ChangedRecord, type RecordVerdict } from './decide';
import type { ChangeSource } from './sources';

export type WalkKind = 'poll' | 'backfill';

export interface PageCounts {
  seen: number;
  /** Records the snapshot did not know yet (changed, first sight, deleted). */
  changed: number;
  /** Of those, how many were new to the inbox (not already queued under the same key). */
  enqueued: number;
}

function eventTypeOf(kind: WalkKind, entity: ChangeSource['entity'], verdict: RecordVerdict): string {
  if (kind === 'backfill') return entity === 'issue' ? 'backfill.issue' : 'backfill.ticket';
  // The processor reads a 404 on a "deleted" event as the deletion itself, not as a failure.
  if (verdict === 'deleted') return entity === 'issue' ? 'poll.issue_deleted' : 'poll.ticket_deleted';
  return entity === 'issue' ? 'poll.issue_changed' : 'poll.ticket_changed';
}

/**
 * One page of changes into the inbox, through the one door (store.enqueue) as webhooks go.
 * The key `poll:<id>:<updated_at>` (or `backfill:...`) names one state of one record for ever,
 * so a page read twice (overlap, a resume after a crash) queues nothing twice.
 */
export async function enqueuePage(store: Store, source: ChangeSource, records: readonly ChangedRecord[], kind: WalkKind, now: Date): Promise<PageCounts> {
  const counts: PageCounts = { seen: records.length, changed: 0, enqueued: 0 };
  for (const record of records) {
    const ref = { vendor: source.vendor, connectionId: source.connectionId, id: record.id };
    const snapshot = await store.getSnapshot(ref);
    const kept = snapshot ? { vendorUpdatedAt: snapshot.vendorUpdatedAt, deleted: snapshot.deleted } : null;
    // Jira: only issues we link to or have seen; the link is looked up only when there is no snapshot.
    const mustBeKnown = source.entity === 'issue';
    const linked = mustBeKnown && kept === null ? (await store.getLinkByIssue(source.connectionId, record.id)) !== null : false;
    const verdict = judgeRecord(record, kept, { mustBeKnown, linked });
    if (!ENQUEUED_VERDICTS.has(verdict)) continue;
    counts.changed += 1;
    const facts = { updatedAt: record.updatedAt, ...(record.key ? { key: record.key } : {}), ...(record.deleted ? { deleted: true } : {}), verdict };
    const result = await store.enqueue({
      vendor: source.vendor,
      connectionId: source.connectionId,
      entityKey: entityKeyOf(source.entity, record.id),
      dedupeKey: `${kind}:${record.id}:${record.updatedAt}`,
      dedupeWindowMs: null,
      eventType: eventTypeOf(kind, source.entity, verdict),
      source: kind,
      payload: kind === 'poll' ? { poll: facts } : { backfill: facts },
      headers: {},
      receivedAt: now,
    });
    if (!result.duplicate) counts.enqueued += 1;
  }
  return counts;
}
