import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EntityRef } from '../../src/domain/ticket';
import { SQLITE_MIGRATIONS, SQLITE_SCHEMA_VERSION } from '../../src/store/sqlite/migrations';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import type { NewInboxEvent } from '../../src/store/types';

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

let dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hds-store-'));
  dirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

describe('SqliteStore: schema', () => {
  it('applies the migrations at open and reports the schema version', async () => {
    const file = path.join(tempDir(), 'nested', 'dir', 'store.db');
    const store = new SqliteStore(file);
    expect(await store.health()).toEqual({ ok: true, schemaVersion: SQLITE_SCHEMA_VERSION, expectedVersion: SQLITE_SCHEMA_VERSION });
    expect(SQLITE_SCHEMA_VERSION).toBeGreaterThanOrEqual(1);
    await store.close();

    const raw = new Database(file, { readonly: true });
    const tables = (raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
    expect(tables).toEqual(
      expect.arrayContaining(['inbox_events', 'dead_letters', 'entity_snapshots', 'ticket_links', 'ticket_owners', 'handoffs', 'decisions', 'executed_actions', 'sync_cursors', 'schema_migrations']),
    );
    raw.close();
  });

  it('does not re-apply migrations when the same file is reopened, and keeps the data', async () => {
    const file = path.join(tempDir(), 'store.db');
    const first = new SqliteStore(file);
    const { eventId } = await first.enqueue(event({ dedupeKey: 'persisted' }));
    await first.close();

    const second = new SqliteStore(file);
    expect((await second.health()).ok).toBe(true);
    expect((await second.getEvent(eventId))?.dedupeKey).toBe('persisted');
    await second.close();

    const raw = new Database(file, { readonly: true });
    const rows = raw.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>;
    expect(rows.map((r) => r.version)).toEqual(SQLITE_MIGRATIONS.map((m) => m.version));
    raw.close();
  });

  it('puts a file database in WAL journal mode', async () => {
    const file = path.join(tempDir(), 'wal.db');
    const store = new SqliteStore(file);
    await store.close();
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('health reports an error once the database is closed', async () => {
    const store = new SqliteStore(':memory:');
    await store.close();
    const health = await store.health();
    expect(health.ok).toBe(false);
    expect(health.error).toEqual(expect.any(String));
    // close twice is harmless
    await expect(store.close()).resolves.toBeUndefined();
  });
});

describe('SqliteStore: inbox', () => {
  let store: SqliteStore;
  beforeEach(() => {
    store = new SqliteStore(':memory:');
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
    // Claimable at once by a new worker, without waiting for the lease.
    expect((await store.claimNext('w3', at(500), LEASE))?.id).toBe(a.eventId);
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

describe('SqliteStore: state tables', () => {
  let store: SqliteStore;
  beforeEach(() => {
    store = new SqliteStore(':memory:');
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

describe('SqliteStore: recentTicketsOfRequester (T4)', () => {
  it('finds the requester\'s other tickets on the connection created since a moment, newest first', async () => {
    const store = new SqliteStore(':memory:');
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

describe('SqliteStore: listTicketsAwayFromOwner (E3 sweep)', () => {
  it('lists open tickets whose current assignee is not their owner', async () => {
    const store = new SqliteStore(':memory:');
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

describe('SqliteStore: coalesce', () => {
  it('marks done only the pending events of the same entity that arrived before the fetch', async () => {
    const store = new SqliteStore(':memory:');
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

describe('SqliteStore: the ledger of writes and keyed decisions', () => {
  let store: SqliteStore;
  beforeEach(() => {
    store = new SqliteStore(':memory:');
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
