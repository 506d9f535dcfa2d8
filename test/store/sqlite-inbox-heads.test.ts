import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SQLITE_MIGRATIONS } from '../../src/store/sqlite/migrations';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import type { NewInboxEvent } from '../../src/store/types';

/**
 * SQLite specifics of the inbox: the entity heads a claim reads (migration 5, built from an
 * existing inbox) and the grouped commits of enqueue.
 */
const T0 = new Date('2026-11-30T09:00:00.000Z');
const at = (offsetMs: number) => new Date(T0.getTime() + offsetMs);
const LEASE = 60_000;

function zendeskEvent(ticketId: number, n: number, over: Partial<NewInboxEvent> = {}): NewInboxEvent {
  const payload = {
    type: 'zen:event-type:ticket.status_changed',
    id: `01JD${ticketId}${n}`,
    time: at(n).toISOString(),
    detail: { id: String(ticketId), status: 'OPEN', subject: 'Export to CSV times out', requester_id: '90001' },
    event: { current: 'OPEN', previous: 'NEW' },
  };
  return {
    vendor: 'zendesk',
    connectionId: 'default',
    entityKey: `ticket:${ticketId}`,
    dedupeKey: `delivery:${payload.id}`,
    dedupeWindowMs: null,
    eventType: payload.type,
    source: 'webhook',
    payload,
    headers: { 'x-zendesk-webhook-invocation-id': `inv-${ticketId}-${n}` },
    receivedAt: at(n),
    ...over,
  };
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function dbFile(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hds-heads-'));
  dirs.push(dir);
  return path.join(dir, 'store.db');
}

describe('SqliteStore: entity heads', () => {
  it('migration 5 builds the heads of an inbox written by version 4, and claims follow them', async () => {
    const file = dbFile();
    const old = new Database(file);
    old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    for (const m of SQLITE_MIGRATIONS.filter((x) => x.version <= 4)) {
      old.exec(m.sql);
      old.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, 0);
    }
    const insert = old.prepare(
      `INSERT INTO inbox_events (vendor, connection_id, entity_key, dedupe_key, event_type, source, payload, headers, received_at, next_attempt_at, status, locked_by, locked_until, attempts)
       VALUES ('zendesk', 'default', ?, ?, 'zen:event-type:ticket.status_changed', ?, '{}', '{}', ?, ?, ?, ?, ?, ?)`,
    );
    // ticket 7: done, then one in progress under a live lease, then one waiting behind it.
    insert.run('ticket:7', 'd1', 'webhook', at(0).getTime(), at(0).getTime(), 'done', null, null, 1);
    insert.run('ticket:7', 'd2', 'webhook', at(1).getTime(), at(1).getTime(), 'processing', 'old-worker', at(LEASE).getTime(), 1);
    insert.run('ticket:7', 'd3', 'webhook', at(2).getTime(), at(2).getTime(), 'pending', null, null, 0);
    // ticket 8: a backfill event; ticket 9: a live event due later (a retry).
    insert.run('ticket:8', 'd4', 'backfill', at(3).getTime(), at(3).getTime(), 'pending', null, null, 0);
    insert.run('ticket:9', 'd5', 'webhook', at(4).getTime(), at(500).getTime(), 'pending', null, null, 2);
    old.close();

    const store = new SqliteStore(file);
    expect((await store.health()).ok).toBe(true);
    // At 100 ms: ticket 7 is leased, ticket 9 not due: only the backfill event runs.
    expect((await store.claimNext('w', at(100), LEASE))?.dedupeKey).toBe('d4');
    expect(await store.claimNext('w', at(200), LEASE)).toBeNull();
    // At 600 ms the retry is due (live before backfill), ticket 7 still waits for its lease.
    expect((await store.claimNext('w', at(600), LEASE))?.dedupeKey).toBe('d5');
    expect(await store.claimNext('w', at(LEASE), LEASE)).toBeNull();
    // The lease ran out: the interrupted event is taken over before the one behind it.
    const taken = await store.claimNext('w', at(LEASE + 1), LEASE);
    expect(taken).toMatchObject({ dedupeKey: 'd2', attempts: 2, lockedBy: 'w' });
    await store.complete(taken!.id, 'w', at(LEASE + 2));
    expect((await store.claimNext('w', at(LEASE + 3), LEASE))?.dedupeKey).toBe('d3');
    await store.close();
  });

  it('a dead letter replayed while a later event of its ticket runs waits for that event', async () => {
    const store = new SqliteStore(':memory:');
    const first = await store.enqueue(zendeskEvent(5158, 1));
    await store.enqueue(zendeskEvent(5158, 2));
    const a = await store.claimNext('w', at(10), LEASE);
    await store.deadLetter(a!.id, 'w', 'Zendesk answered 422', at(11));
    const b = await store.claimNext('w', at(12), LEASE);
    expect(b?.id).not.toBe(first.eventId);
    const [dead] = await store.listDeadLetters();
    expect(await store.replayDeadLetters({ ids: [dead!.id] }, at(13))).toBe(1);
    // The replayed event is the oldest unfinished one, but the ticket is busy until b finishes.
    expect(await store.claimNext('w2', at(14), LEASE)).toBeNull();
    await store.complete(b!.id, 'w', at(15));
    expect((await store.claimNext('w2', at(16), LEASE))?.id).toBe(first.eventId);
    await store.close();
  });

  it('coalescing the events a fetch covered moves the head past them', async () => {
    const store = new SqliteStore(':memory:');
    for (let n = 1; n <= 50; n++) await store.enqueue(zendeskEvent(5158, n));
    const later = await store.enqueue(zendeskEvent(5158, 5000));
    const head = await store.claimNext('w', at(6000), LEASE);
    await store.complete(head!.id, 'w', at(6001));
    // The fetch started at 100 ms covered events 2..50 but not the one received at 5 s.
    expect(await store.coalesce(head!.id, at(100), at(6002))).toBe(49);
    expect((await store.claimNext('w', at(6003), LEASE))?.id).toBe(later.eventId);
    await store.close();
  });
});

describe('SqliteStore: grouped enqueue commits', () => {
  it('acknowledges every delivery of a group, each with its own id, and spots a redelivery inside the group', async () => {
    const store = new SqliteStore(':memory:');
    const events = Array.from({ length: 40 }, (_, i) => zendeskEvent(6000 + (i % 8), i));
    const redelivered = { ...events[3]!, receivedAt: at(99) };
    const results = await Promise.all([...events.map((e) => store.enqueue(e)), store.enqueue(redelivered)]);
    const firsts = results.slice(0, 40);
    expect(new Set(firsts.map((r) => r.eventId)).size).toBe(40);
    expect(firsts.every((r) => !r.duplicate)).toBe(true);
    expect(results[40]).toEqual({ eventId: firsts[3]!.eventId, duplicate: true });
    expect((await store.inboxCounts()).pending).toBe(40);
    await store.close();
  });

  it('one event that cannot be written fails alone; the rest of its group is stored', async () => {
    const store = new SqliteStore(':memory:');
    const good = [zendeskEvent(7001, 1), zendeskEvent(7002, 2)];
    // A NOT NULL column left empty: the database refuses this row only.
    const bad = { ...zendeskEvent(7003, 3), eventType: null as unknown as string };
    const settled = await Promise.allSettled([store.enqueue(good[0]!), store.enqueue(bad), store.enqueue(good[1]!)]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await store.listEvents({})).map((e) => e.entityKey)).toEqual(['ticket:7001', 'ticket:7002']);
    await store.close();
  });

  it('stores the verified body text as received when the caller gives it', async () => {
    const store = new SqliteStore(':memory:');
    const e = zendeskEvent(7100, 1);
    const text = JSON.stringify(e.payload, null, 2);
    const { eventId } = await store.enqueue({ ...e, payloadText: text });
    expect((await store.getEvent(eventId))?.payload).toEqual(e.payload);
    await store.close();
  });
});
