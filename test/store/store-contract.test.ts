import type { EntityRef } from '../../src/domain/ticket';
import { Client } from 'pg';
import { PG_MIGRATIONS, PG_SCHEMA_VERSION } from '../../src/store/postgres/migrations';
import { PgStore, pgPoolConfig, quoteIdent } from '../../src/store/postgres/pg-store';
import { SQLITE_MIGRATIONS, SQLITE_SCHEMA_VERSION } from '../../src/store/sqlite/migrations';
import type { InboxEvent, NewInboxEvent, Store } from '../../src/store/types';
import { describeEachStore, describeStore, TEST_DATABASE_URL } from '../helpers/stores';

/**
 * The Store contract, on every store kind (test/helpers/stores.ts): SQLite in memory or on a
 * file, PostgreSQL in a schema of its own per store. What only one kind has (SQLite's WAL
 * file, PostgreSQL's schemas) is tested in sqlite-store.test.ts and at the end of this file.
 */

const T0 = new Date('2024-05-01T10:00:00.000Z');
const at = (offsetMs: number) => new Date(T0.getTime() + offsetMs);
const LEASE = 60_000;

function event(over: Partial<NewInboxEvent> = {}): NewInboxEvent {
  return {
    vendor: 'zendesk',
    connectionId: 'default',
    entityKey: 'ticket:1',
    dedupeKey: `key-${Math.random()}`,
    dedupeWindowMs: null,
    eventType: 'ticket.updated',
    source: 'webhook',
    payload: { ticket: { id: 1 } },
    headers: { 'x-zendesk-webhook-invocation-id': 'inv-1' },
    receivedAt: T0,
    ...over,
  };
}

const ticket = (id: string, over: Partial<EntityRef> = {}): EntityRef => ({ vendor: 'zendesk', connectionId: 'default', id, ...over });
const sleep = (msec: number) => new Promise((resolve) => setTimeout(resolve, msec));

describe('store schema versions', () => {
  it('has the same migration versions and names on SQLite and PostgreSQL', () => {
    expect(PG_MIGRATIONS.map((m) => [m.version, m.name])).toEqual(SQLITE_MIGRATIONS.map((m) => [m.version, m.name]));
    expect(PG_SCHEMA_VERSION).toBe(SQLITE_SCHEMA_VERSION);
  });
});

describeEachStore('store: schema', (makeStore, _kind, f) => {
  it('applies the migrations at open and reports the schema version', async () => {
    const store = makeStore();
    expect(await store.health()).toEqual({ ok: true, schemaVersion: SQLITE_SCHEMA_VERSION, expectedVersion: SQLITE_SCHEMA_VERSION });
    expect(SQLITE_SCHEMA_VERSION).toBeGreaterThanOrEqual(1);
    await store.close();
  });

  it('does not re-apply migrations when the same database is reopened, and keeps the data', async () => {
    const first = f.makeDurableStore();
    const { eventId } = await first.enqueue(event({ dedupeKey: 'persisted' }));
    await first.close();

    const second = f.openAgain(first);
    expect(await second.health()).toEqual({ ok: true, schemaVersion: SQLITE_SCHEMA_VERSION, expectedVersion: SQLITE_SCHEMA_VERSION });
    expect((await second.getEvent(eventId))?.dedupeKey).toBe('persisted');
    // The inbox state survives too: the event is claimable from the reopened store.
    expect((await second.claimNext('w', at(1), LEASE))?.id).toBe(eventId);
    await second.close();
  });

  it('lets two stores open one new database at once', async () => {
    const [a, b] = f.makeShared();
    const [ha, hb] = await Promise.all([a.health(), b.health()]);
    expect(ha.ok).toBe(true);
    expect(hb.ok).toBe(true);
    await a.close();
    await b.close();
  });

  it('health reports an error once the database is closed', async () => {
    const store = makeStore();
    await store.close();
    const health = await store.health();
    expect(health.ok).toBe(false);
    expect(health.error).toEqual(expect.any(String));
    // close twice is harmless
    await expect(store.close()).resolves.toBeUndefined();
  });
});

describeEachStore('store: inbox', (makeStore) => {
  let store: Store;
  beforeEach(() => {
    store = makeStore();
  });
  afterEach(async () => {
    await store.close();
  });

  describe('enqueue and dedupe', () => {
    it('stores a first delivery as new and round-trips its fields', async () => {
      const result = await store.enqueue(event({ dedupeKey: 'd-1', payload: { a: [1, 'two'] }, headers: { h: 'v' } }));
      expect(result.duplicate).toBe(false);
      expect(result.eventId).toBeGreaterThan(0);
      const stored = await store.getEvent(result.eventId);
      expect(stored).toMatchObject({
        id: result.eventId,
        vendor: 'zendesk',
        connectionId: 'default',
        entityKey: 'ticket:1',
        dedupeKey: 'd-1',
        eventType: 'ticket.updated',
        source: 'webhook',
        payload: { a: [1, 'two'] },
        headers: { h: 'v' },
        status: 'pending',
        attempts: 0,
        lockedBy: null,
        lockedUntil: null,
        lastError: null,
        processedAt: null,
      });
      expect(stored?.receivedAt.toISOString()).toBe(T0.toISOString());
      expect(stored?.nextAttemptAt.toISOString()).toBe(T0.toISOString());
      expect(await store.getEvent(result.eventId + 100)).toBeNull();
    });

    it('treats a vendor delivery id (no window) as a duplicate for ever', async () => {
      const first = await store.enqueue(event({ dedupeKey: 'delivery-42' }));
      const again = await store.enqueue(event({ dedupeKey: 'delivery-42', receivedAt: at(365 * 24 * 3600_000) }));
      expect(again).toEqual({ eventId: first.eventId, duplicate: true });
      expect((await store.inboxCounts()).pending).toBe(1);
    });

    it('treats a content hash as a duplicate only within its window', async () => {
      const window = 10 * 60_000;
      const first = await store.enqueue(event({ dedupeKey: 'hash-1', dedupeWindowMs: window }));
      const inside = await store.enqueue(event({ dedupeKey: 'hash-1', dedupeWindowMs: window, receivedAt: at(window - 1) }));
      expect(inside).toEqual({ eventId: first.eventId, duplicate: true });
      const edge = await store.enqueue(event({ dedupeKey: 'hash-1', dedupeWindowMs: window, receivedAt: at(window) }));
      expect(edge).toEqual({ eventId: first.eventId, duplicate: true });

      const outside = await store.enqueue(event({ dedupeKey: 'hash-1', dedupeWindowMs: window, receivedAt: at(window + 1) }));
      expect(outside.duplicate).toBe(false);
      expect(outside.eventId).not.toBe(first.eventId);
      // The newer event now anchors the window.
      const afterOutside = await store.enqueue(event({ dedupeKey: 'hash-1', dedupeWindowMs: window, receivedAt: at(window + 5) }));
      expect(afterOutside).toEqual({ eventId: outside.eventId, duplicate: true });
      expect((await store.inboxCounts()).pending).toBe(2);
    });

    it('keeps keys of different connections and vendors apart', async () => {
      const a = await store.enqueue(event({ dedupeKey: 'same' }));
      const otherConnection = await store.enqueue(event({ dedupeKey: 'same', connectionId: 'partner-b' }));
      const otherVendor = await store.enqueue(event({ dedupeKey: 'same', vendor: 'freshdesk' }));
      expect(otherConnection.duplicate).toBe(false);
      expect(otherVendor.duplicate).toBe(false);
      expect(new Set([a.eventId, otherConnection.eventId, otherVendor.eventId]).size).toBe(3);
    });
  });

  describe('claimNext ordering', () => {
    it('claims one event per entity and releases the next one after complete', async () => {
      const a1 = await store.enqueue(event({ entityKey: 'ticket:1' }));
      const a2 = await store.enqueue(event({ entityKey: 'ticket:1' }));
      const b1 = await store.enqueue(event({ entityKey: 'ticket:2' }));

      const first = await store.claimNext('w1', at(1000), LEASE);
      const second = await store.claimNext('w2', at(1000), LEASE);
      expect(first?.id).toBe(a1.eventId);
      expect(second?.id).toBe(b1.eventId);
      expect(first).toMatchObject({ status: 'processing', lockedBy: 'w1', attempts: 1 });
      expect(first?.lockedUntil?.getTime()).toBe(at(1000 + LEASE).getTime());
      expect(await store.claimNext('w3', at(1000), LEASE)).toBeNull();

      // What was returned is what was stored.
      expect(await store.getEvent(a1.eventId)).toMatchObject({ status: 'processing', lockedBy: 'w1', attempts: 1 });

      await store.complete(a1.eventId, 'w1', at(2000));
      const done = await store.getEvent(a1.eventId);
      expect(done).toMatchObject({ status: 'done', lockedBy: null, lockedUntil: null });
      expect(done?.processedAt?.getTime()).toBe(at(2000).getTime());

      const third = await store.claimNext('w3', at(2000), LEASE);
      expect(third?.id).toBe(a2.eventId);
      expect(await store.inboxCounts()).toEqual({ pending: 0, processing: 2, done: 1, dead: 0 });
    });

    it('does not claim an event before it is due', async () => {
      await store.enqueue(event({ receivedAt: at(5000) }));
      expect(await store.claimNext('w1', at(4999), LEASE)).toBeNull();
      expect(await store.claimNext('w1', at(5000), LEASE)).not.toBeNull();
    });

    it('lets a failed event waiting for its retry block its own entity but not others', async () => {
      const a1 = await store.enqueue(event({ entityKey: 'ticket:1' }));
      const a2 = await store.enqueue(event({ entityKey: 'ticket:1' }));
      const b1 = await store.enqueue(event({ entityKey: 'ticket:2' }));

      const claimed = await store.claimNext('w1', at(0), LEASE);
      expect(claimed?.id).toBe(a1.eventId);
      await store.fail(a1.eventId, 'w1', 'HTTP 503 from Zendesk', at(60_000));

      const failed = await store.getEvent(a1.eventId);
      expect(failed).toMatchObject({ status: 'pending', lastError: 'HTTP 503 from Zendesk', lockedBy: null, lockedUntil: null, attempts: 1 });
      expect(failed?.nextAttemptAt.getTime()).toBe(at(60_000).getTime());

      const next = await store.claimNext('w2', at(1000), LEASE);
      expect(next?.id).toBe(b1.eventId);
      expect(await store.claimNext('w3', at(1000), LEASE)).toBeNull();

      // Once due, the failed event comes first again, never A2.
      const retry = await store.claimNext('w3', at(60_000), LEASE);
      expect(retry?.id).toBe(a1.eventId);
      expect(retry?.attempts).toBe(2);
      expect(a2.eventId).toBeGreaterThan(a1.eventId);
    });

    it('hands an event with an expired lease to another worker, but not one with a valid lease', async () => {
      const a1 = await store.enqueue(event());
      await store.claimNext('w1', at(0), LEASE);
      expect(await store.claimNext('w2', at(LEASE - 1), LEASE)).toBeNull();
      expect(await store.claimNext('w2', at(LEASE), LEASE)).toBeNull();

      const stolen = await store.claimNext('w2', at(LEASE + 1), LEASE);
      expect(stolen?.id).toBe(a1.eventId);
      expect(stolen).toMatchObject({ lockedBy: 'w2', attempts: 2, status: 'processing' });

      // The first worker is no longer the owner: its late outcome is ignored.
      await store.complete(a1.eventId, 'w1', at(LEASE + 2));
      expect(await store.getEvent(a1.eventId)).toMatchObject({ status: 'processing', lockedBy: 'w2' });
    });

    it('ignores complete, fail and deadLetter from a worker that does not hold the lease', async () => {
      const a1 = await store.enqueue(event());
      await store.claimNext('w1', at(0), LEASE);
      await store.complete(a1.eventId, 'intruder', at(1));
      await store.fail(a1.eventId, 'intruder', 'nope', at(5));
      await store.deadLetter(a1.eventId, 'intruder', 'nope', at(5));
      const unchanged = await store.getEvent(a1.eventId);
      expect(unchanged).toMatchObject({ status: 'processing', lockedBy: 'w1', lastError: null, processedAt: null });
      expect(await store.listDeadLetters({ includeReplayed: true })).toEqual([]);
    });

    it('ignores outcomes for events that are not processing', async () => {
      const a1 = await store.enqueue(event());
      await store.complete(a1.eventId, 'w1', at(1));
      expect((await store.getEvent(a1.eventId))?.status).toBe('pending');
    });
  });

  describe('dead letters', () => {
    it('moves an event to the dead letters with its error and attempts, and stops it blocking its entity', async () => {
      const a1 = await store.enqueue(event({ entityKey: 'ticket:1', eventType: 'ticket.created' }));
      const a2 = await store.enqueue(event({ entityKey: 'ticket:1' }));
      await store.claimNext('w1', at(0), LEASE);
      await store.fail(a1.eventId, 'w1', 'first', at(10));
      await store.claimNext('w1', at(10), LEASE);
      await store.deadLetter(a1.eventId, 'w1', 'gave up: 422', at(20));

      const dead = await store.getEvent(a1.eventId);
      expect(dead).toMatchObject({ status: 'dead', lastError: 'gave up: 422', lockedBy: null, lockedUntil: null, attempts: 2 });
      expect(dead?.processedAt?.getTime()).toBe(at(20).getTime());

      const letters = await store.listDeadLetters();
      expect(letters).toHaveLength(1);
      expect(letters[0]).toMatchObject({
        eventId: a1.eventId,
        vendor: 'zendesk',
        connectionId: 'default',
        entityKey: 'ticket:1',
        eventType: 'ticket.created',
        attempts: 2,
        error: 'gave up: 422',
        replayedAt: null,
      });
      expect(letters[0]?.deadAt.getTime()).toBe(at(20).getTime());

      const next = await store.claimNext('w1', at(30), LEASE);
      expect(next?.id).toBe(a2.eventId);
      expect(await store.inboxCounts()).toEqual({ pending: 0, processing: 1, done: 0, dead: 1 });
    });

    async function killEvent(over: Partial<NewInboxEvent>, error: string): Promise<number> {
      const { eventId } = await store.enqueue(event(over));
      const claimed = await store.claimNext('killer', at(0), LEASE);
      expect(claimed?.id).toBe(eventId);
      await store.deadLetter(eventId, 'killer', error, at(1));
      return eventId;
    }

    it('replays dead letters by id: back to pending, attempts 0, source replay, never twice', async () => {
      const e1 = await killEvent({ entityKey: 'ticket:1' }, 'boom 1');
      const e2 = await killEvent({ entityKey: 'ticket:2' }, 'boom 2');
      const letters = await store.listDeadLetters();
      const dl1 = letters.find((l) => l.eventId === e1);
      expect(dl1).toBeDefined();

      expect(await store.replayDeadLetters({ ids: [dl1?.id ?? -1] }, at(100))).toBe(1);
      const replayed = await store.getEvent(e1);
      expect(replayed).toMatchObject({ status: 'pending', attempts: 0, source: 'replay', processedAt: null });
      expect(replayed?.nextAttemptAt.getTime()).toBe(at(100).getTime());
      expect((await store.getEvent(e2))?.status).toBe('dead');

      // Not replayed twice.
      expect(await store.replayDeadLetters({ ids: [dl1?.id ?? -1] }, at(200))).toBe(0);
      expect(await store.replayDeadLetters({ ids: [dl1?.id ?? -1, dl1?.id ?? -1] }, at(200))).toBe(0);

      // Listing hides replayed letters unless asked.
      expect((await store.listDeadLetters()).map((l) => l.eventId)).toEqual([e2]);
      const all = await store.listDeadLetters({ includeReplayed: true });
      expect(all.map((l) => l.eventId)).toEqual([e1, e2]);
      expect(all[0]?.replayedAt?.getTime()).toBe(at(100).getTime());

      // The replayed event is claimable again.
      const again = await store.claimNext('w9', at(100), LEASE);
      expect(again?.id).toBe(e1);
      expect(again?.attempts).toBe(1);
    });

    it('counts a repeated id once', async () => {
      const e1 = await killEvent({}, 'boom');
      const [dl] = await store.listDeadLetters();
      expect(dl?.eventId).toBe(e1);
      expect(await store.replayDeadLetters({ ids: [dl?.id ?? -1, dl?.id ?? -1] }, at(5))).toBe(1);
    });

    it('replays dead letters by vendor and connection filter', async () => {
      const zdDefault = await killEvent({ vendor: 'zendesk', connectionId: 'default', entityKey: 'ticket:1' }, 'a');
      const zdPartner = await killEvent({ vendor: 'zendesk', connectionId: 'partner-b', entityKey: 'ticket:1' }, 'b');
      const fd = await killEvent({ vendor: 'freshdesk', connectionId: 'default', entityKey: 'ticket:1' }, 'c');

      expect((await store.listDeadLetters({ vendor: 'zendesk' })).map((l) => l.eventId)).toEqual([zdDefault, zdPartner]);
      expect((await store.listDeadLetters({ connectionId: 'partner-b' })).map((l) => l.eventId)).toEqual([zdPartner]);

      expect(await store.replayDeadLetters({ filter: { vendor: 'zendesk', connectionId: 'partner-b' } }, at(50))).toBe(1);
      expect((await store.getEvent(zdPartner))?.status).toBe('pending');
      expect((await store.getEvent(zdDefault))?.status).toBe('dead');
      expect((await store.getEvent(fd))?.status).toBe('dead');

      // includeReplayed in the filter must not replay again.
      expect(await store.replayDeadLetters({ filter: { vendor: 'zendesk', includeReplayed: true } }, at(60))).toBe(1);
      expect((await store.getEvent(zdDefault))?.source).toBe('replay');
      expect((await store.getEvent(fd))?.status).toBe('dead');

      expect(await store.replayDeadLetters({}, at(70))).toBe(1);
      expect((await store.getEvent(fd))?.status).toBe('pending');
      expect(await store.listDeadLetters()).toEqual([]);
    });
  });

  it('requeueInterrupted resets processing rows to pending', async () => {
    const a = await store.enqueue(event({ entityKey: 'ticket:1' }));
    const b = await store.enqueue(event({ entityKey: 'ticket:2' }));
    const c = await store.enqueue(event({ entityKey: 'ticket:3' }));
    await store.claimNext('w1', at(0), LEASE);
    await store.claimNext('w2', at(0), LEASE);
    expect(await store.requeueInterrupted(at(500))).toBe(2);
    for (const id of [a.eventId, b.eventId]) {
      const e = await store.getEvent(id);
      expect(e).toMatchObject({ status: 'pending', lockedBy: null, lockedUntil: null, attempts: 1 });
      expect(e?.nextAttemptAt.getTime()).toBe(at(500).getTime());
    }
    expect((await store.getEvent(c.eventId))?.attempts).toBe(0);
    expect(await store.requeueInterrupted(at(600))).toBe(0);
    // Claimable at once by a new worker, without waiting for the lease (earliest due first: c, then a and b).
    const claimed = [];
    for (let i = 0; i < 3; i++) claimed.push((await store.claimNext('w3', at(500), LEASE))?.id);
    expect(claimed).toEqual([c.eventId, a.eventId, b.eventId]);
  });

  it('listEvents filters and limits', async () => {
    await store.enqueue(event({ entityKey: 'ticket:1' }));
    await store.enqueue(event({ entityKey: 'ticket:1', connectionId: 'partner-b' }));
    await store.enqueue(event({ entityKey: 'ticket:2', vendor: 'freshdesk' }));
    expect((await store.listEvents({ entityKey: 'ticket:1' })).map((e) => e.connectionId)).toEqual(['default', 'partner-b']);
    expect((await store.listEvents({ vendor: 'freshdesk' })).map((e) => e.entityKey)).toEqual(['ticket:2']);
    expect(await store.listEvents({ status: 'done' })).toEqual([]);
    expect(await store.listEvents({ limit: 2 })).toHaveLength(2);
  });
});

describeEachStore('store: state tables', (makeStore) => {
  let store: Store;
  beforeEach(() => {
    store = makeStore();
  });
  afterEach(async () => {
    await store.close();
  });

  it('upserts snapshots', async () => {
    const ref = ticket('7');
    expect(await store.getSnapshot(ref)).toBeNull();
    await store.saveSnapshot({ ref, data: { status: 'open' }, vendorUpdatedAt: '2024-05-01T10:00:00Z', savedAt: at(0), deleted: false });
    await store.saveSnapshot({ ref, data: { status: 'solved' }, vendorUpdatedAt: null, savedAt: at(10), deleted: true });
    const snap = await store.getSnapshot(ref);
    expect(snap).toEqual({ ref, data: { status: 'solved' }, vendorUpdatedAt: null, savedAt: at(10), deleted: true });
    expect(await store.getSnapshot(ticket('7', { connectionId: 'other' }))).toBeNull();
  });

  it('reserves, completes and releases links', async () => {
    const t1 = ticket('1');
    expect(await store.reserveLink(t1, 'jira-default', at(0))).toBe(true);
    expect(await store.reserveLink(t1, 'jira-default', at(1))).toBe(false);
    expect(await store.getLinkByTicket(t1)).toMatchObject({ state: 'creating', issueId: null, issueKey: null, jiraConnectionId: 'jira-default' });

    await store.completeLink(t1, { issueId: '10001', issueKey: 'SUP-1', kind: 'bug', missing: ['impact'] }, at(5));
    const linked = await store.getLinkByIssue('jira-default', '10001');
    expect(linked).toMatchObject({ ticket: t1, state: 'linked', issueId: '10001', issueKey: 'SUP-1', kind: 'bug', missing: ['impact'] });
    await store.setLinkMissing(t1, [], at(5));
    expect((await store.getLinkByTicket(t1))?.missing).toEqual([]);
    expect(linked?.createdAt.getTime()).toBe(at(0).getTime());
    expect(linked?.updatedAt.getTime()).toBe(at(5).getTime());
    expect(await store.getLinkByIssue('other-jira', '10001')).toBeNull();

    // A linked link is never released, and cannot be reserved again.
    await store.releaseLink(t1);
    expect((await store.getLinkByTicket(t1))?.state).toBe('linked');
    expect(await store.reserveLink(t1, 'jira-default', at(6))).toBe(false);

    // A creating one is released and can be reserved again.
    const t2 = ticket('2', { vendor: 'freshdesk' });
    expect(await store.reserveLink(t2, 'jira-default', at(7))).toBe(true);
    await store.releaseLink(t2);
    expect(await store.getLinkByTicket(t2)).toBeNull();
    expect(await store.reserveLink(t2, 'jira-default', at(8))).toBe(true);

    expect((await store.listLinks()).map((l) => l.ticket.id)).toEqual(['1', '2']);
    expect((await store.listLinks({ vendor: 'freshdesk' })).map((l) => l.ticket.id)).toEqual(['2']);
  });

  it('upserts owners', async () => {
    const t = ticket('3');
    expect(await store.getOwner(t)).toBeNull();
    await store.setOwner({ ticket: t, ownerId: 'agent-1', ownerGroupId: 'g1', since: at(0), claimedAt: null });
    await store.setOwner({ ticket: t, ownerId: 'agent-2', ownerGroupId: null, since: at(10), claimedAt: at(11) });
    expect(await store.getOwner(t)).toEqual({ ticket: t, ownerId: 'agent-2', ownerGroupId: null, since: at(10), claimedAt: at(11) });
  });

  it('lists handoffs in time order', async () => {
    const t = ticket('4');
    const base = { ticket: t, actorId: 'a1', fromGroupId: 'g1', toGroupId: 'g2', fromAssigneeId: null, toAssigneeId: 'u2', commentId: null };
    const late = await store.appendHandoff({ ...base, at: at(100), direction: 'handback' });
    const early = await store.appendHandoff({ ...base, at: at(10), direction: 'escalate' });
    await store.appendHandoff({ ...base, ticket: ticket('other'), at: at(5), direction: 'consult' });
    const list = await store.listHandoffs(t);
    expect(list.map((h) => [h.id, h.direction])).toEqual([
      [early, 'escalate'],
      [late, 'handback'],
    ]);
    expect(list[0]).toEqual({ ...base, id: early, at: at(10), direction: 'escalate' });
  });

  it('records decisions and filters by ticket and rule', async () => {
    const t1 = ticket('1');
    const t2 = ticket('2');
    const d = { verdict: 'violation' as const, actorId: 'u1', summary: 's', actions: [{ kind: 'comment' }], eventId: 5 };
    const id1 = await store.recordDecision({ ...d, ticket: t1, ruleId: 'R1', at: at(0) });
    const id2 = await store.recordDecision({ ...d, ticket: t1, ruleId: 'R2', at: at(1), eventId: null });
    const id3 = await store.recordDecision({ ...d, ticket: t2, ruleId: 'R1', at: at(2) });
    expect((await store.listDecisions({ ticket: t1 })).map((x) => x.id)).toEqual([id1, id2]);
    expect((await store.listDecisions({ ruleId: 'R1' })).map((x) => x.id)).toEqual([id1, id3]);
    expect((await store.listDecisions({ ticket: t1, ruleId: 'R1' })).map((x) => x.id)).toEqual([id1]);
    expect((await store.listDecisions({ limit: 1 })).map((x) => x.id)).toEqual([id1]);
    const [second] = await store.listDecisions({ ticket: t1, ruleId: 'R2' });
    expect(second).toEqual({ ...d, id: id2, ticket: t1, ruleId: 'R2', at: at(1), eventId: null, key: null });
  });

  it('records an executed action once', async () => {
    const action = { idempotencyKey: 'k1', ticket: ticket('9'), kind: 'jira.create', result: { key: 'SUP-9' }, at: at(0) };
    expect(await store.getExecutedAction('k1')).toBeNull();
    expect(await store.recordExecutedAction(action)).toBe(true);
    expect(await store.recordExecutedAction({ ...action, result: { key: 'SUP-10' } })).toBe(false);
    expect(await store.getExecutedAction('k1')).toEqual({ ...action, ruleId: null, target: null, resultId: null, state: 'done' });
    expect(await store.recordExecutedAction({ idempotencyKey: 'k2', ticket: null, kind: 'noop', result: undefined, at: at(1) })).toBe(true);
    expect(await store.getExecutedAction('k2')).toMatchObject({ idempotencyKey: 'k2', ticket: null, kind: 'noop', result: null, at: at(1) });
  });

  it('upserts cursors', async () => {
    expect(await store.getCursor('freshdesk:default')).toBeNull();
    await store.setCursor('freshdesk:default', '2024-05-01T00:00:00Z', at(0));
    await store.setCursor('freshdesk:default', '2024-05-02T00:00:00Z', at(1));
    expect(await store.getCursor('freshdesk:default')).toBe('2024-05-02T00:00:00Z');
    expect(await store.getCursor('other')).toBeNull();
  });
});

describeEachStore('store: recentTicketsOfRequester (T4)', (makeStore) => {
  it('finds the requester\'s other tickets on the connection created since a moment, newest first', async () => {
    const store = makeStore();
    const snap = (id: string, requesterId: string, createdAt: string, connectionId = 'default') =>
      store.saveSnapshot({
        ref: { vendor: 'freshdesk', connectionId, id },
        data: { id, subject: `Subject ${id}`, createdAt, url: `https://acme.freshdesk.com/a/tickets/${id}`, requester: { id: requesterId } },
        vendorUpdatedAt: createdAt,
        savedAt: new Date(createdAt),
        deleted: false,
      });
    await snap('1', '77', '2025-01-01T09:00:00Z');
    await snap('2', '77', '2025-01-07T09:00:00Z');
    await snap('3', '77', '2025-01-08T09:00:00Z');
    await snap('4', '88', '2025-01-08T09:00:00Z');
    await snap('5', '77', '2025-01-08T10:00:00Z', 'other');
    const found = await store.recentTicketsOfRequester('freshdesk', 'default', '77', '2025-01-05T00:00:00.000Z');
    expect(found).toEqual([
      { id: '3', subject: 'Subject 3', createdAt: '2025-01-08T09:00:00Z', url: 'https://acme.freshdesk.com/a/tickets/3' },
      { id: '2', subject: 'Subject 2', createdAt: '2025-01-07T09:00:00Z', url: 'https://acme.freshdesk.com/a/tickets/2' },
    ]);
    await store.close();
  });
});

describeEachStore('store: listTicketsAwayFromOwner (E3 sweep)', (makeStore) => {
  it('lists open tickets whose current assignee is not their owner', async () => {
    const store = makeStore();
    const at = new Date('2025-01-08T10:00:00Z');
    const put = async (id: string, assigneeId: string | null, status: string, ownerId: string) => {
      const ref = { vendor: 'freshdesk' as const, connectionId: 'default', id };
      await store.saveSnapshot({ ref, data: { id, assigneeId, status }, vendorUpdatedAt: null, savedAt: at, deleted: false });
      await store.setOwner({ ticket: ref, ownerId, ownerGroupId: null, since: at, claimedAt: at });
    };
    await put('1', '501', 'open', '221'); // with an SME
    await put('2', '221', 'open', '221'); // with its owner
    await put('3', null, 'pending', '221'); // at a group, nobody assigned
    await put('4', '501', 'resolved', '221'); // resolved: nothing to return
    expect((await store.listTicketsAwayFromOwner()).map((r) => r.id)).toEqual(['1', '3']);
    await store.close();
  });
});

describeEachStore('store: coalesce', (makeStore) => {
  it('marks done only the pending events of the same entity that arrived before the fetch', async () => {
    const store = makeStore();
    const ev = (entityKey: string, key: string, at: string) =>
      store.enqueue({ vendor: 'zendesk', connectionId: 'default', entityKey, dedupeKey: key, dedupeWindowMs: null, eventType: 'ticket.comment_added', source: 'webhook', payload: {}, headers: {}, receivedAt: new Date(at) });
    const a1 = await ev('ticket:1', 'a1', '2025-01-08T10:00:00Z');
    await ev('ticket:1', 'a2', '2025-01-08T10:00:01Z');
    await ev('ticket:1', 'a3', '2025-01-08T10:00:09Z');
    await ev('ticket:2', 'b1', '2025-01-08T10:00:01Z');
    const claimed = await store.claimNext('w', new Date('2025-01-08T10:00:05Z'), 60_000);
    expect(claimed?.id).toBe(a1.eventId);
    await store.complete(a1.eventId, 'w', new Date('2025-01-08T10:00:06Z'));
    expect(await store.coalesce(a1.eventId, new Date('2025-01-08T10:00:05Z'), new Date('2025-01-08T10:00:06Z'))).toBe(1);
    const events = await store.listEvents({});
    expect(events.map((e) => [e.dedupeKey, e.status])).toEqual([
      ['a1', 'done'],
      ['a2', 'done'],
      ['a3', 'pending'],
      ['b1', 'pending'],
    ]);
    await store.close();
  });
});

describeEachStore('store: the ledger of writes and keyed decisions', (makeStore) => {
  let store: Store;
  beforeEach(() => {
    store = makeStore();
  });
  afterEach(() => store.close());

  const issue = { vendor: 'jira' as const, connectionId: 'default', id: '10002' };

  it('records a started write, finishes it with its result id, and finds it by that id (M5)', async () => {
    const key = 'M3:zendesk:default:5158:comment:901';
    expect(await store.recordExecutedAction({ idempotencyKey: key, ticket: ticket('5158'), kind: 'jira.comment', ruleId: 'M3', target: issue, resultId: null, result: null, state: 'started', at: at(0) })).toBe(true);
    expect(await store.findWriteByResult('jira', 'default', '10500')).toBeNull();
    await store.finishExecutedAction(key, { resultId: '10500', result: null, at: at(5) });
    expect(await store.findWriteByResult('jira', 'default', '10500')).toMatchObject({ idempotencyKey: key, state: 'done', ruleId: 'M3', target: issue, at: at(5) });
    // The same comment id on another connection or vendor is somebody else's.
    expect(await store.findWriteByResult('jira', 'other', '10500')).toBeNull();
    expect(await store.findWriteByResult('zendesk', 'default', '10500')).toBeNull();
  });

  it('forgets only started writes', async () => {
    await store.recordExecutedAction({ idempotencyKey: 'a', ticket: ticket('1'), kind: 'helpdesk.note', result: null, state: 'started', at: at(0) });
    await store.recordExecutedAction({ idempotencyKey: 'b', ticket: ticket('1'), kind: 'helpdesk.note', result: null, at: at(0) });
    await store.forgetExecutedAction('a');
    await store.forgetExecutedAction('b');
    expect(await store.getExecutedAction('a')).toBeNull();
    expect(await store.getExecutedAction('b')).not.toBeNull();
  });

  it('lists a pair\'s writes by ticket, target and key prefix, taking _ and % literally', async () => {
    await store.recordExecutedAction({ idempotencyKey: 'M1:default:10002:comment:1', ticket: ticket('5158'), kind: 'helpdesk.note', target: ticket('5158'), result: null, at: at(1) });
    await store.recordExecutedAction({ idempotencyKey: 'M3_x:1', ticket: ticket('5158'), kind: 'jira.comment', target: issue, result: null, at: at(2) });
    await store.recordExecutedAction({ idempotencyKey: 'M3ax:1', ticket: ticket('77'), kind: 'jira.comment', target: { ...issue, id: '10003' }, result: null, at: at(3) });
    expect((await store.listExecutedActions({ ticket: ticket('5158') })).map((w) => w.idempotencyKey)).toEqual(['M1:default:10002:comment:1', 'M3_x:1']);
    expect((await store.listExecutedActions({ target: issue })).map((w) => w.idempotencyKey)).toEqual(['M3_x:1']);
    expect((await store.listExecutedActions({ keyPrefix: 'M3_' })).map((w) => w.idempotencyKey)).toEqual(['M3_x:1']);
    expect((await store.listExecutedActions({ since: at(2) })).map((w) => w.idempotencyKey)).toEqual(['M3_x:1', 'M3ax:1']);
  });

  it('records a keyed decision once, however often it is recorded', async () => {
    const d = { ticket: ticket('5158'), ruleId: 'J1', verdict: 'ok' as const, actorId: null, at: at(0), summary: 'Raised Jira Bug SUP-311', actions: [], eventId: 7, key: 'J1:zendesk:default:5158:SUP-311' };
    const first = await store.recordDecision(d);
    const again = await store.recordDecision({ ...d, eventId: 8, at: at(9) });
    expect(again).toBe(first);
    await store.recordDecision({ ...d, key: null });
    await store.recordDecision({ ...d, key: null });
    expect(await store.listDecisions({ ticket: ticket('5158') })).toHaveLength(3);
  });
});

describeEachStore('store: claim order and leases', (makeStore) => {
  let store: Store;
  beforeEach(() => {
    store = makeStore();
  });
  afterEach(() => store.close());

  async function drain(now: Date): Promise<number[]> {
    const ids: number[] = [];
    for (;;) {
      const e = await store.claimNext('w', now, LEASE);
      if (!e) return ids;
      ids.push(e.id);
      await store.complete(e.id, 'w', now);
    }
  }

  it('claims live events before backfill ones, and each entity\'s events in order', async () => {
    const b1 = await store.enqueue(event({ entityKey: 'ticket:10', source: 'backfill' }));
    const b2 = await store.enqueue(event({ entityKey: 'ticket:11', source: 'backfill' }));
    const w1 = await store.enqueue(event({ entityKey: 'ticket:1', source: 'webhook' }));
    const p1 = await store.enqueue(event({ entityKey: 'ticket:2', source: 'poll' }));
    const w2 = await store.enqueue(event({ entityKey: 'ticket:1', source: 'webhook' }));
    // A live event behind a backfill head waits for it: per-entity order wins over source.
    const behindBackfill = await store.enqueue(event({ entityKey: 'ticket:10', source: 'webhook' }));

    const first = await store.claimNext('w1', at(1), LEASE);
    const second = await store.claimNext('w2', at(1), LEASE);
    expect([first?.id, second?.id]).toEqual([w1.eventId, p1.eventId]);
    // ticket:1's next event waits for w1; the backfill heads come next.
    const third = await store.claimNext('w3', at(1), LEASE);
    const fourth = await store.claimNext('w4', at(1), LEASE);
    expect([third?.id, fourth?.id]).toEqual([b1.eventId, b2.eventId]);
    expect(await store.claimNext('w5', at(1), LEASE)).toBeNull();

    await store.complete(b1.eventId, 'w3', at(2));
    await store.complete(w1.eventId, 'w1', at(2));
    expect((await store.claimNext('w1', at(3), LEASE))?.id).toBe(w2.eventId);
    expect((await store.claimNext('w3', at(3), LEASE))?.id).toBe(behindBackfill.eventId);
    expect(await store.claimNext('w6', at(3), LEASE)).toBeNull();
  });

  it('puts a new live event ahead of waiting backfill', async () => {
    const backfill = [];
    for (let i = 0; i < 3; i++) backfill.push((await store.enqueue(event({ entityKey: `ticket:${100 + i}`, source: 'backfill' }))).eventId);
    const first = await store.claimNext('w', at(1), LEASE);
    expect(first?.id).toBe(backfill[0]);
    const live = await store.enqueue(event({ entityKey: 'ticket:7', source: 'webhook', receivedAt: at(2) }));
    expect((await store.claimNext('w', at(3), LEASE))?.id).toBe(live.eventId);
    expect((await store.claimNext('w', at(3), LEASE))?.id).toBe(backfill[1]);
  });

  it('reclaims an expired lease before the events behind it, and only then', async () => {
    const a1 = await store.enqueue(event({ entityKey: 'ticket:1' }));
    const a2 = await store.enqueue(event({ entityKey: 'ticket:1' }));
    expect((await store.claimNext('w1', at(0), LEASE))?.id).toBe(a1.eventId);
    expect(await store.claimNext('w2', at(LEASE), LEASE)).toBeNull();

    const reclaimed = await store.claimNext('w2', at(LEASE + 1), LEASE);
    expect(reclaimed).toMatchObject({ id: a1.eventId, lockedBy: 'w2', attempts: 2, status: 'processing' });
    expect(reclaimed?.lockedUntil?.getTime()).toBe(at(LEASE + 1 + LEASE).getTime());
    // The new lease blocks the entity again; a2 still waits for a1.
    expect(await store.claimNext('w3', at(LEASE + 2), LEASE)).toBeNull();
    await store.fail(a1.eventId, 'w1', 'late outcome of the first worker', at(LEASE + 3));
    expect(await store.getEvent(a1.eventId)).toMatchObject({ status: 'processing', lockedBy: 'w2', lastError: null });

    await store.complete(a1.eventId, 'w2', at(LEASE + 4));
    expect((await store.claimNext('w3', at(LEASE + 4), LEASE))?.id).toBe(a2.eventId);
  });

  it('replays a dead letter: it runs again, after what is in progress on its entity', async () => {
    const a1 = await store.enqueue(event({ entityKey: 'ticket:1', eventType: 'ticket.created' }));
    const a2 = await store.enqueue(event({ entityKey: 'ticket:1' }));
    expect((await store.claimNext('w', at(0), LEASE))?.id).toBe(a1.eventId);
    await store.deadLetter(a1.eventId, 'w', 'gave up', at(1));
    expect((await store.claimNext('w', at(2), LEASE))?.id).toBe(a2.eventId);

    const [letter] = await store.listDeadLetters();
    expect(await store.replayDeadLetters({ ids: [letter?.id ?? -1] }, at(3))).toBe(1);
    // a1 is older than a2 but a2 is leased: a1 waits for it.
    expect(await store.claimNext('w2', at(4), LEASE)).toBeNull();
    await store.complete(a2.eventId, 'w', at(5));
    const replayed = await store.claimNext('w2', at(6), LEASE);
    expect(replayed).toMatchObject({ id: a1.eventId, source: 'replay', attempts: 1, eventType: 'ticket.created' });
    await store.complete(a1.eventId, 'w2', at(7));
    expect(await store.claimNext('w2', at(8), LEASE)).toBeNull();
    expect(await store.inboxCounts()).toEqual({ pending: 0, processing: 0, done: 2, dead: 0 });
    // The payload came back whole through all of it.
    expect((await store.getEvent(a1.eventId))?.payload).toEqual({ ticket: { id: 1 } });
  });

  it('lets a replayed dead letter wait out a lease of its entity', async () => {
    const a1 = await store.enqueue(event({ entityKey: 'ticket:1' }));
    const a2 = await store.enqueue(event({ entityKey: 'ticket:1' }));
    await store.claimNext('w', at(0), LEASE);
    await store.deadLetter(a1.eventId, 'w', 'gave up', at(1));
    expect((await store.claimNext('w', at(2), LEASE))?.id).toBe(a2.eventId);
    await store.replayDeadLetters({}, at(3));
    expect(await store.claimNext('w2', at(2 + LEASE), LEASE)).toBeNull();
    // a2's worker died: once its lease is over the older, replayed a1 goes first.
    expect((await store.claimNext('w2', at(2 + LEASE + 1), LEASE))?.id).toBe(a1.eventId);
  });

  it('keeps the order after coalesce and requeueInterrupted', async () => {
    const a1 = await store.enqueue(event({ entityKey: 'ticket:1', receivedAt: at(0) }));
    await store.enqueue(event({ entityKey: 'ticket:1', receivedAt: at(1) }));
    const a3 = await store.enqueue(event({ entityKey: 'ticket:1', receivedAt: at(9) }));
    const b1 = await store.enqueue(event({ entityKey: 'ticket:2', receivedAt: at(1) }));
    expect((await store.claimNext('w', at(10), LEASE))?.id).toBe(a1.eventId);
    expect(await store.coalesce(a1.eventId, at(5), at(11))).toBe(1);
    await store.complete(a1.eventId, 'w', at(12));
    expect((await store.claimNext('w', at(13), LEASE))?.id).toBe(b1.eventId);
    expect((await store.claimNext('w', at(13), LEASE))?.id).toBe(a3.eventId);
    expect(await store.requeueInterrupted(at(14))).toBe(2);
    // Both due at once again: the older head first.
    expect(await drain(at(14))).toEqual([a3.eventId, b1.eventId]);
  });

  it('stays correct with 5,000 pending events of one entity', async () => {
    const ids: number[] = [];
    for (let start = 0; start < 5000; start += 100) {
      const batch = await Promise.all(
        Array.from({ length: 100 }, (_, i) => store.enqueue(event({ entityKey: 'ticket:big', dedupeKey: `big-${start + i}`, payload: { n: start + i } }))),
      );
      ids.push(...batch.map((r) => r.eventId));
    }
    ids.sort((x, y) => x - y);
    expect(new Set(ids).size).toBe(5000);
    expect((await store.inboxCounts()).pending).toBe(5000);

    const other = await store.enqueue(event({ entityKey: 'ticket:small', receivedAt: at(1) }));
    for (let i = 0; i < 5; i++) {
      const claimed = await store.claimNext('w', at(10 + i), LEASE);
      expect(claimed?.id).toBe(ids[i]);
      if (i === 0) {
        // The other entity is not stuck behind the big one.
        expect((await store.claimNext('w2', at(10), LEASE))?.id).toBe(other.eventId);
      }
      expect(await store.claimNext('w3', at(10 + i), LEASE)).toBeNull();
      await store.complete(claimed?.id ?? -1, 'w', at(10 + i));
    }
    // A failed head keeps its place in front of the other 4,995.
    const sixth = await store.claimNext('w', at(20), LEASE);
    expect(sixth?.id).toBe(ids[5]);
    await store.fail(ids[5] ?? -1, 'w', 'retry', at(30));
    expect(await store.claimNext('w', at(29), LEASE)).toBeNull();
    expect((await store.claimNext('w', at(30), LEASE))?.id).toBe(ids[5]);
    expect(await store.countPending('webhook')).toBe(4994);
  }, 120_000);
});

describeEachStore('store: enqueue details', (makeStore) => {
  let store: Store;
  beforeEach(() => {
    store = makeStore();
  });
  afterEach(() => store.close());

  it('stores the verified body text as received when the caller gives it, and reads it back as the payload', async () => {
    const payload = { ticket: { id: 7100, subject: 'Ünïcode \u2028 and "quotes"' }, list: [1, 2.5, null, true], empty: {} };
    const { eventId } = await store.enqueue(event({ payload, payloadText: JSON.stringify(payload, null, 2) }));
    expect((await store.getEvent(eventId))?.payload).toEqual(payload);
  });

  it('spots a redelivery among concurrent enqueues, and one event that cannot be written fails alone', async () => {
    const events = Array.from({ length: 20 }, (_, i) => event({ entityKey: `ticket:${6000 + (i % 4)}`, dedupeKey: `grp-${i}` }));
    const redelivered = { ...events[3]!, receivedAt: at(99) };
    const bad = { ...event({ entityKey: 'ticket:7003' }), eventType: null as unknown as string };
    const settled = await Promise.allSettled([...events.map((e) => store.enqueue(e)), store.enqueue(bad), store.enqueue(redelivered)]);
    expect(settled.map((s) => s.status)).toEqual([...events.map(() => 'fulfilled'), 'rejected', 'fulfilled']);
    const results = settled.map((s) => (s.status === 'fulfilled' ? s.value : null));
    const firsts = results.slice(0, 20);
    const redelivery = results[21];
    // Which of the two copies got in first is the race's business; exactly one did.
    const copies = [firsts[3], redelivery];
    expect(copies.filter((r) => r && !r.duplicate)).toHaveLength(1);
    expect(new Set(copies.map((r) => r?.eventId)).size).toBe(1);
    expect(new Set(firsts.map((r) => r?.eventId)).size).toBe(20);
    expect((await store.inboxCounts()).pending).toBe(20);
    expect(await store.listEvents({ entityKey: 'ticket:7003' })).toEqual([]);
    // Every entity is claimable: the failed write left no trace in the heads either.
    const claimed = [];
    for (let i = 0; i < 5; i++) claimed.push(await store.claimNext('w', at(100), LEASE));
    expect(claimed.filter(Boolean).map((e) => e?.entityKey).sort()).toEqual(['ticket:6000', 'ticket:6001', 'ticket:6002', 'ticket:6003']);
  });
});

describeEachStore('store: several instances on one database', (_makeStore, _kind, f) => {
  it('lets exactly one of two concurrent enqueues of a delivery key in', async () => {
    const [a, b] = f.makeShared();
    for (let i = 0; i < 10; i++) {
      const window = i % 2 === 0 ? null : 60_000;
      const e = event({ dedupeKey: `delivery-${i}`, dedupeWindowMs: window, entityKey: `ticket:${i % 3}` });
      const results = await Promise.all([a.enqueue(e), b.enqueue(e), a.enqueue(e), b.enqueue(e)]);
      expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
      expect(new Set(results.map((r) => r.eventId)).size).toBe(1);
    }
    expect((await a.inboxCounts()).pending).toBe(10);
    expect(await b.listEvents({})).toHaveLength(10);
    await a.close();
    await b.close();
  });

  it('never hands two claimers events of one entity at once, nor one event twice', async () => {
    const [a, b] = f.makeShared();
    const expected = new Map<string, number[]>();
    for (let n = 0; n < 6; n++) {
      for (let entity = 0; entity < 4; entity++) {
        const key = `ticket:${entity}`;
        const { eventId } = await a.enqueue(event({ entityKey: key, source: entity === 3 ? 'backfill' : 'webhook' }));
        expected.set(key, [...(expected.get(key) ?? []), eventId]);
      }
    }
    const total = 24;
    const inFlight = new Map<string, number>();
    const claimedOrder = new Map<string, number[]>();
    const claimedIds: number[] = [];
    const violations: string[] = [];
    let finished = 0;

    const worker = async (store: Store, name: string) => {
      let idle = 0;
      while (finished < total && idle < 2000) {
        const e: InboxEvent | null = await store.claimNext(name, at(1), LEASE);
        if (!e) {
          idle += 1;
          await sleep(1);
          continue;
        }
        idle = 0;
        if (inFlight.has(e.entityKey)) violations.push(`${name} got ${e.id} while ${String(inFlight.get(e.entityKey))} of ${e.entityKey} was in flight`);
        inFlight.set(e.entityKey, e.id);
        claimedIds.push(e.id);
        claimedOrder.set(e.entityKey, [...(claimedOrder.get(e.entityKey) ?? []), e.id]);
        await sleep(Math.random() * 3);
        inFlight.delete(e.entityKey);
        await store.complete(e.id, name, at(2));
        finished += 1;
      }
    };
    await Promise.all([worker(a, 'a1'), worker(a, 'a2'), worker(a, 'a3'), worker(b, 'b1'), worker(b, 'b2'), worker(b, 'b3')]);

    expect(violations).toEqual([]);
    expect(claimedIds).toHaveLength(total);
    expect(new Set(claimedIds).size).toBe(total);
    for (const [key, ids] of expected) expect(claimedOrder.get(key)).toEqual(ids);
    expect(await b.inboxCounts()).toEqual({ pending: 0, processing: 0, done: total, dead: 0 });
    await a.close();
    await b.close();
  });

  it('claims distinct events when both instances ask at the same moment', async () => {
    const [a, b] = f.makeShared();
    for (let entity = 0; entity < 8; entity++) {
      await a.enqueue(event({ entityKey: `ticket:${entity}` }));
      await a.enqueue(event({ entityKey: `ticket:${entity}` }));
    }
    const claims = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).claimNext(`w${i}`, at(1), LEASE)));
    const got = claims.filter((e): e is InboxEvent => e !== null);
    expect(got).toHaveLength(8);
    expect(new Set(got.map((e) => e.entityKey)).size).toBe(8);
    expect(new Set(got.map((e) => e.id)).size).toBe(8);
    await a.close();
    await b.close();
  });

  it('records a keyed decision and reserves a link once across instances', async () => {
    const [a, b] = f.makeShared();
    const d = { ticket: ticket('1'), ruleId: 'J1', verdict: 'ok' as const, actorId: null, at: at(0), summary: 's', actions: [], eventId: 1, key: 'J1:k' };
    const ids = await Promise.all([a.recordDecision(d), b.recordDecision(d), a.recordDecision(d), b.recordDecision(d)]);
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).toBeGreaterThan(0);
    const reserved = await Promise.all([a.reserveLink(ticket('1'), 'jira', at(0)), b.reserveLink(ticket('1'), 'jira', at(0))]);
    expect(reserved.filter(Boolean)).toHaveLength(1);
    const recorded = await Promise.all([
      a.recordExecutedAction({ idempotencyKey: 'x', ticket: null, kind: 'k', result: null, at: at(0) }),
      b.recordExecutedAction({ idempotencyKey: 'x', ticket: null, kind: 'k', result: null, at: at(0) }),
    ]);
    expect(recorded.filter(Boolean)).toHaveLength(1);
    await a.close();
    await b.close();
  });
});

describe('PgStore without a server', () => {
  it('reports an unreachable server in health() without throwing, and closes', async () => {
    const store = new PgStore('postgres://postgres@127.0.0.1:1/none', { connectionTimeoutMs: 500 });
    const health = await store.health();
    expect(health).toMatchObject({ ok: false, schemaVersion: 0, expectedVersion: PG_SCHEMA_VERSION });
    expect(health.error).toEqual(expect.any(String));
    await expect(store.getCursor('x')).rejects.toThrow();
    await expect(store.close()).resolves.toBeUndefined();
    await expect(store.close()).resolves.toBeUndefined();
  });

  it('passes the schema as a quoted search_path in the startup options, keeping the URL\'s own', () => {
    expect(pgPoolConfig('postgres://u@h/db', { schema: 'hs', poolSize: 3 })).toMatchObject({ connectionString: 'postgres://u@h/db', max: 3, options: '-c search_path="hs"' });
    expect(pgPoolConfig('postgres://u@h/db', { schema: 'a "b" c\\d' }).options).toBe('-c search_path="a\\ ""b""\\ c\\\\d"');
    const withOptions = pgPoolConfig('postgres://u@h/db?options=-c%20statement_timeout%3D5000&sslmode=disable', { schema: 's' });
    expect(withOptions.options).toBe('-c statement_timeout=5000 -c search_path="s"');
    expect(withOptions.connectionString).toBe('postgres://u@h/db?sslmode=disable');
    expect(pgPoolConfig('postgres://u@h/db').options).toBeUndefined();
  });
});

describeStore('postgres', 'PgStore: schemas and migrations', () => {
  const schemas: string[] = [];
  const open = (schema: string) => {
    if (!schemas.includes(schema)) schemas.push(schema);
    return new PgStore(TEST_DATABASE_URL, { schema, poolSize: 2 });
  };
  const unique = (label: string) => `hs_test_${label}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  afterAll(async () => {
    const client = new Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(s)} CASCADE`);
    await client.end();
  });

  it('creates its schema, its tables and one schema_migrations row per migration, once', async () => {
    const schema = unique('tables');
    const first = open(schema);
    expect((await first.health()).ok).toBe(true);
    await first.close();
    const second = open(schema);
    expect((await second.health()).ok).toBe(true);
    await second.close();

    const client = new Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    const tables = (await client.query<{ name: string }>('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1', [schema])).rows.map((r) => r.name);
    expect(tables).toEqual(
      expect.arrayContaining(['inbox_events', 'inbox_entities', 'dead_letters', 'entity_snapshots', 'ticket_links', 'ticket_owners', 'handoffs', 'decisions', 'executed_actions', 'sync_cursors', 'job_locks', 'job_runs', 'schema_migrations']),
    );
    const versions = (await client.query<{ version: number }>(`SELECT version FROM ${quoteIdent(schema)}.schema_migrations ORDER BY version`)).rows.map((r) => r.version);
    expect(versions).toEqual(PG_MIGRATIONS.map((m) => m.version));
    // Nothing leaked into the default schema.
    const inPublic = await client.query(`SELECT 1 FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'inbox_entities'`);
    expect(inPublic.rowCount).toBe(0);
    await client.end();
  });

  it('migrates once when several processes start on a new schema at the same moment', async () => {
    const schema = unique('race');
    const stores = Array.from({ length: 5 }, () => open(schema));
    const healths = await Promise.all(stores.map((s) => s.health()));
    expect(healths.every((h) => h.ok)).toBe(true);
    await Promise.all(stores.map((s) => s.close()));
  });

  it('works in a schema whose name needs quoting', async () => {
    const schema = `${unique('odd')} "quoted" \\ name`;
    const store = open(schema);
    expect((await store.health()).ok).toBe(true);
    const { eventId } = await store.enqueue(event({ payload: { text: 'nul \u0000 and emoji \u{1F600}', nested: [{ a: null }, 1.5, true] } }));
    expect((await store.getEvent(eventId))?.payload).toEqual({ text: 'nul \u0000 and emoji \u{1F600}', nested: [{ a: null }, 1.5, true] });
    await store.close();
  });
});

describeEachStore('store: waiting out an outage and the circuits kept for operators', (makeStore) => {
  let store: Store;
  beforeEach(() => {
    store = makeStore();
  });
  afterEach(async () => {
    await store.close();
  });

  it('fail with countAttempt false gives the claim\'s attempt back and keeps the event the head of its ticket', async () => {
    const first = await store.enqueue(event({ entityKey: 'ticket:7', dedupeKey: 'p1' }));
    await store.enqueue(event({ entityKey: 'ticket:7', dedupeKey: 'p2' }));
    for (let i = 0; i < 3; i++) {
      const claimed = await store.claimNext('w', at(i * 10_000), LEASE);
      expect(claimed).toMatchObject({ id: first.eventId, attempts: 1 });
      await store.fail(first.eventId, 'w', 'jira connection default: circuit open (outage)', at(i * 10_000 + 5_000), { countAttempt: false });
    }
    expect(await store.getEvent(first.eventId)).toMatchObject({ status: 'pending', attempts: 0, lastError: 'jira connection default: circuit open (outage)' });
    // Not before the probe time, and the later event of the ticket waits behind it.
    expect(await store.claimNext('w', at(25_000 - 1), LEASE)).toBeNull();
    const counted = await store.claimNext('w', at(25_000), LEASE);
    expect(counted?.id).toBe(first.eventId);
    await store.fail(first.eventId, 'w', '503 Service Unavailable', at(26_000));
    expect((await store.getEvent(first.eventId))?.attempts).toBe(1);
  });

  it('saves, replaces, lists and clears open circuits per connection and process', async () => {
    const base = {
      vendor: 'jira' as const,
      connectionId: 'default',
      holder: 'host-a:4242:1f2e3d4c',
      state: 'open' as const,
      reason: 'outage' as const,
      failures: 5,
      openedAt: at(0),
      probeAt: at(1_000),
      lastError: 'jira getIssue (GET /rest/api/3/issue/SUP-12) failed: 503 Service Unavailable',
      updatedAt: at(0),
    };
    await store.saveCircuit(base);
    await store.saveCircuit({ ...base, state: 'half-open', failures: 6, probeAt: at(3_000), updatedAt: at(1_000) });
    await store.saveCircuit({ ...base, vendor: 'zendesk', connectionId: 'partner-b', reason: 'auth', holder: 'host-b:77:aa00bb11' });
    expect(await store.listCircuits()).toEqual([
      { ...base, state: 'half-open', failures: 6, probeAt: at(3_000), updatedAt: at(1_000) },
      { ...base, vendor: 'zendesk', connectionId: 'partner-b', reason: 'auth', holder: 'host-b:77:aa00bb11' },
    ]);
    await store.clearCircuit('jira', 'default', base.holder);
    expect((await store.listCircuits()).map((c) => `${c.vendor}/${c.connectionId}`)).toEqual(['zendesk/partner-b']);
  });
});

describeEachStore('store: complete with covered events', (makeStore) => {
  it('marks the event and the events its fetch covered done in one call, and nothing when the lease is no longer ours', async () => {
    const store = makeStore();
    try {
      const ev = (key: string, at: string) =>
        store.enqueue({ vendor: 'zendesk', connectionId: 'default', entityKey: 'ticket:5158', dedupeKey: key, dedupeWindowMs: null, eventType: 'ticket.comment_added', source: 'webhook', payload: {}, headers: {}, receivedAt: new Date(at) });
      const head = await ev('c1', '2025-01-08T10:00:00Z');
      await ev('c2', '2025-01-08T10:00:01Z');
      const late = await ev('c3', '2025-01-08T10:00:09Z');
      await store.claimNext('w', new Date('2025-01-08T10:00:05Z'), 60_000);
      expect(await store.complete(head.eventId, 'other-worker', new Date('2025-01-08T10:00:06Z'), new Date('2025-01-08T10:00:05Z'))).toBe(0);
      expect((await store.listEvents({})).map((e) => e.status)).toEqual(['processing', 'pending', 'pending']);
      expect(await store.complete(head.eventId, 'w', new Date('2025-01-08T10:00:06Z'), new Date('2025-01-08T10:00:05Z'))).toBe(1);
      expect((await store.listEvents({})).map((e) => [e.id, e.status])).toEqual([
        [head.eventId, 'done'],
        [head.eventId + 1, 'done'],
        [late.eventId, 'pending'],
      ]);
      // The next claim is the one event the fetch did not cover.
      expect((await store.claimNext('w', new Date('2025-01-08T10:00:10Z'), 60_000))?.id).toBe(late.eventId);
    } finally {
      await store.close();
    }
  });
});
