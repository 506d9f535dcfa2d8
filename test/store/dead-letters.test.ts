import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createLogger } from '../../src/logging/logger';
import { PG_MIGRATIONS } from '../../src/store/postgres/migrations';
import { PgStore, quoteIdent } from '../../src/store/postgres/pg-store';
import { SQLITE_MIGRATIONS } from '../../src/store/sqlite/migrations';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import type { DeadLetterWithHistory, NewInboxEvent, Store } from '../../src/store/types';
import { DEAD_QUEUE, INBOX_QUEUE, PgBossJobs, type DeadJobData } from '../../src/sync/engine/pg-boss-jobs';
import { fixture, fixtureText } from '../helpers/fixtures';
import { describeEachStore, describeStore, TEST_DATABASE_URL } from '../helpers/stores';

/**
 * Dead letters on every store kind (test/helpers/stores.ts): one per inbox event, whatever how
 * often it dies; its history of deaths, replays and discards; discarding keeps the event. Then
 * migration 10 on each database, merging the letters an older version made per death, and the
 * pg-boss dead queue on PostgreSQL.
 */

const T0 = new Date('2025-01-08T14:25:30.000Z');
const at = (offsetMs: number) => new Date(T0.getTime() + offsetMs);
const MIN = 60_000;
const LEASE = 5 * MIN;
const WORKER_A = 'support-01:4242:9f1c2b7a';
const WORKER_B = 'support-02:5151:0d3e44c1';

/** Zendesk's comment_added webhook for ticket 5158, as it was stored. */
function zendeskComment(over: Partial<NewInboxEvent> = {}): NewInboxEvent {
  const text = fixtureText('webhooks/zendesk-comment-added.json');
  return {
    vendor: 'zendesk',
    connectionId: 'default',
    entityKey: 'ticket:5158',
    dedupeKey: 'delivery:d4f5c389-8f4a-4c2e-a1b9-8e4f39c71d52',
    dedupeWindowMs: null,
    eventType: 'zen:event-type:ticket.comment_added',
    source: 'webhook',
    payload: JSON.parse(text) as unknown,
    payloadText: text,
    headers: { 'x-zendesk-webhook-id': '01HZX3QK7Y2V', 'x-zendesk-webhook-invocation-id': '8350205', 'x-zendesk-account-id': '22129848' },
    receivedAt: T0,
    ...over,
  };
}

/** Freshdesk's ticket_updated webhook for ticket 4821 (no delivery id: a content hash). */
function freshdeskUpdate(over: Partial<NewInboxEvent> = {}): NewInboxEvent {
  return {
    vendor: 'freshdesk',
    connectionId: 'default',
    entityKey: 'ticket:4821',
    dedupeKey: `sha256:${randomBytes(16).toString('hex')}`,
    dedupeWindowMs: 2 * 60 * MIN,
    eventType: 'ticket_updated',
    source: 'webhook',
    payload: fixture('webhooks/freshdesk-ticket-updated.json'),
    headers: {},
    receivedAt: at(1000),
    ...over,
  };
}

/** Claims the event (it must be the next runnable one) and gives up on it. */
async function kill(store: Store, eventId: number, worker: string, error: string, when: Date): Promise<void> {
  const claimed = await store.claimNext(worker, when, LEASE);
  expect(claimed?.id).toBe(eventId);
  await store.deadLetter(eventId, worker, error, at(when.getTime() - T0.getTime() + 1));
}

const ZD_422 = 'Zendesk answered 422 Unprocessable Entity: Status: closed prevents ticket update';
const ZD_422_AGAIN = 'Zendesk answered 422 Unprocessable Entity: Status: closed prevents ticket update (after the reopen attempt)';
const FD_404 = 'Freshdesk answered 404 Not Found: ticket 4821 does not exist';

describeEachStore('dead letters', (makeStore) => {
  let store: Store;
  beforeEach(() => {
    store = makeStore();
  });

  it('keeps one dead letter per event: replayed and dead again, it is the same id, with each step in its history', async () => {
    const { eventId } = await store.enqueue(zendeskComment());
    await kill(store, eventId, WORKER_A, ZD_422, at(0));
    const [first] = await store.listDeadLetters();
    expect(first).toMatchObject({ eventId, state: 'open', deaths: 1, attempts: 1, error: ZD_422, replayedAt: null, discardedAt: null });

    expect(await store.replayDeadLetters({ ids: [first!.id], by: 'dana@ops-laptop' }, at(10 * MIN))).toBe(1);
    expect(await store.listDeadLetters()).toEqual([]);
    expect((await store.getDeadLetter(first!.id))?.state).toBe('replayed');

    // The replayed event fails twice more (attempts counted from 0 again) and dies.
    const again = await store.claimNext(WORKER_B, at(10 * MIN), LEASE);
    expect(again).toMatchObject({ id: eventId, source: 'replay', attempts: 1 });
    await store.fail(eventId, WORKER_B, ZD_422, at(11 * MIN));
    await kill(store, eventId, WORKER_B, ZD_422_AGAIN, at(11 * MIN));

    const letters = await store.listDeadLetters({ includeReplayed: true, includeDiscarded: true });
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ id: first!.id, eventId, state: 'open', deaths: 2, attempts: 2, error: ZD_422_AGAIN, replayedAt: null });
    expect(letters[0]?.deadAt.getTime()).toBe(at(11 * MIN + 1).getTime());

    const shown = (await store.getDeadLetter(first!.id)) as DeadLetterWithHistory;
    expect(shown.history.map((h) => [h.action, h.at.toISOString(), h.attempts, h.error, h.by, h.reason])).toEqual([
      ['dead', at(1).toISOString(), 1, ZD_422, WORKER_A, null],
      ['replayed', at(10 * MIN).toISOString(), null, null, 'dana@ops-laptop', null],
      ['dead', at(11 * MIN + 1).toISOString(), 2, ZD_422_AGAIN, WORKER_B, null],
    ]);
    expect(await store.inboxCounts()).toEqual({ pending: 0, processing: 0, done: 0, dead: 1 });
  });

  it('getDeadLetter: null for an unknown id', async () => {
    expect(await store.getDeadLetter(4711)).toBeNull();
  });

  it('discard keeps the event in the inbox, dead; the letter leaves the list and the replay of all, not its history', async () => {
    const zd = (await store.enqueue(zendeskComment())).eventId;
    const fd = (await store.enqueue(freshdeskUpdate())).eventId;
    await kill(store, zd, WORKER_A, ZD_422, at(0));
    await kill(store, fd, WORKER_A, FD_404, at(MIN));
    const [zdLetter, fdLetter] = await store.listDeadLetters();
    expect([zdLetter?.eventId, fdLetter?.eventId]).toEqual([zd, fd]);

    const reason = 'ticket 4821 was deleted in Freshdesk; nothing left to sync';
    expect(await store.discardDeadLetter(fdLetter!.id, reason, 'dana@ops-laptop', at(5 * MIN))).toBe('discarded');
    const discarded = await store.getDeadLetter(fdLetter!.id);
    expect(discarded).toMatchObject({ state: 'discarded', discardedBy: 'dana@ops-laptop', discardReason: reason, replayedAt: null });
    expect(discarded?.discardedAt?.getTime()).toBe(at(5 * MIN).getTime());
    expect(discarded?.history.map((h) => [h.action, h.by, h.reason])).toEqual([
      ['dead', WORKER_A, null],
      ['discarded', 'dana@ops-laptop', reason],
    ]);
    // Nothing acknowledged is lost: the event and its payload are still there, dead.
    const event = await store.getEvent(fd);
    expect(event).toMatchObject({ status: 'dead', lastError: FD_404 });
    expect((event?.payload as { ticket_id: string }).ticket_id).toBe('4821');
    expect(await store.inboxCounts()).toEqual({ pending: 0, processing: 0, done: 0, dead: 2 });

    // Lists: open ones only, unless asked.
    expect((await store.listDeadLetters()).map((l) => l.id)).toEqual([zdLetter!.id]);
    expect((await store.listDeadLetters({ includeDiscarded: true })).map((l) => l.id)).toEqual([zdLetter!.id, fdLetter!.id]);
    expect((await store.listDeadLetters({ vendor: 'freshdesk', includeDiscarded: true, includeReplayed: true })).map((l) => l.state)).toEqual(['discarded']);

    // A replay of all open letters leaves it out, even when the filter asks for discarded ones.
    expect(await store.replayDeadLetters({ filter: { includeDiscarded: true, includeReplayed: true } }, at(6 * MIN))).toBe(1);
    expect((await store.getEvent(fd))?.status).toBe('dead');
    expect((await store.getEvent(zd))?.status).toBe('pending');

    // Discarding again, an unknown id, a replayed letter (its event is pending): nothing changes.
    expect(await store.discardDeadLetter(fdLetter!.id, 'twice', 'lee@ops', at(7 * MIN))).toBe('already-discarded');
    expect(await store.discardDeadLetter(9999, 'nope', 'lee@ops', at(7 * MIN))).toBe('not-found');
    expect(await store.discardDeadLetter(zdLetter!.id, 'too late', 'lee@ops', at(7 * MIN))).toBe('not-dead');
    expect((await store.getDeadLetter(fdLetter!.id))?.discardReason).toBe(reason);
    expect((await store.getDeadLetter(zdLetter!.id))?.history.map((h) => h.action)).toEqual(['dead', 'replayed']);

    // Naming a discarded letter's id brings it back; the discard stays in its history.
    expect(await store.replayDeadLetters({ ids: [fdLetter!.id], by: 'lee@ops' }, at(8 * MIN))).toBe(1);
    const back = await store.getDeadLetter(fdLetter!.id);
    expect(back).toMatchObject({ state: 'replayed', discardedAt: null, discardedBy: null, discardReason: null });
    expect(back?.history.map((h) => [h.action, h.by])).toEqual([
      ['dead', WORKER_A],
      ['discarded', 'dana@ops-laptop'],
      ['replayed', 'lee@ops'],
    ]);
    expect(await store.getEvent(fd)).toMatchObject({ status: 'pending', source: 'replay', attempts: 0 });
  });

  it('replays by id only letters not replayed yet, and by filter only open ones of that vendor and connection', async () => {
    const a = (await store.enqueue(zendeskComment())).eventId;
    const b = (await store.enqueue(zendeskComment({ connectionId: 'partner-b', dedupeKey: 'delivery:partner-b-1' }))).eventId;
    await kill(store, a, WORKER_A, ZD_422, at(0));
    await kill(store, b, WORKER_A, ZD_422, at(MIN));
    const [la, lb] = await store.listDeadLetters();
    expect(await store.replayDeadLetters({ filter: { vendor: 'zendesk', connectionId: 'partner-b' } }, at(2 * MIN))).toBe(1);
    expect(await store.replayDeadLetters({ ids: [lb!.id, lb!.id] }, at(3 * MIN))).toBe(0);
    expect((await store.getDeadLetter(la!.id))?.state).toBe('open');
    expect((await store.getDeadLetter(lb!.id))?.history.map((h) => [h.action, h.by])).toEqual([
      ['dead', WORKER_A],
      ['replayed', null],
    ]);
  });
});

/** Two letters for one event (died, replayed, died again), as versions before 10 kept them, and one of another event. */
const OLD_LETTERS = [
  { event: 1, attempts: 5, error: 'Zendesk answered 500 Internal Server Error', dead: 1000, replayed: 2000 },
  { event: 1, attempts: 3, error: ZD_422, dead: 3000, replayed: null },
  { event: 2, attempts: 5, error: FD_404, dead: 1500, replayed: 2500 },
];

function expectMerged(letters: DeadLetterWithHistory[]): void {
  expect(letters.map((l) => ({ id: l.id, eventId: l.eventId, state: l.state, deaths: l.deaths, attempts: l.attempts, error: l.error, deadAt: l.deadAt.getTime() }))).toEqual([
    { id: 1, eventId: 1, state: 'open', deaths: 2, attempts: 3, error: ZD_422, deadAt: 3000 },
    { id: 3, eventId: 2, state: 'replayed', deaths: 1, attempts: 5, error: FD_404, deadAt: 1500 },
  ]);
  expect(letters[0]?.history.map((h) => [h.action, h.at.getTime(), h.attempts])).toEqual([
    ['dead', 1000, 5],
    ['replayed', 2000, null],
    ['dead', 3000, 3],
  ]);
  expect(letters[1]?.history.map((h) => [h.action, h.at.getTime()])).toEqual([
    ['dead', 1500],
    ['replayed', 2500],
  ]);
}

describe('migration 10 merges the letters of an event into one', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('on SQLite', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hs-dl-migration-'));
    dirs.push(dir);
    const file = path.join(dir, 'store.db');
    const db = new Database(file);
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    for (const m of SQLITE_MIGRATIONS.filter((x) => x.version <= 9)) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, 0);
    }
    for (const id of [1, 2]) {
      db.prepare(
        `INSERT INTO inbox_events (id, vendor, connection_id, entity_key, dedupe_key, event_type, source, payload, headers, received_at, status, attempts, next_attempt_at, last_error)
         VALUES (?, 'zendesk', 'default', ?, ?, 'zen:event-type:ticket.comment_added', 'webhook', '{}', '{}', 0, ?, 3, 0, ?)`,
      ).run(id, `ticket:${5157 + id}`, `delivery:${id}`, id === 1 ? 'dead' : 'pending', ZD_422);
    }
    for (const l of OLD_LETTERS) {
      db.prepare(
        `INSERT INTO dead_letters (event_id, vendor, connection_id, entity_key, event_type, attempts, error, dead_at, replayed_at)
         VALUES (?, 'zendesk', 'default', 'ticket:x', 'zen:event-type:ticket.comment_added', ?, ?, ?, ?)`,
      ).run(l.event, l.attempts, l.error, l.dead, l.replayed);
    }
    db.close();
    const store = new SqliteStore(file);
    try {
      expect((await store.health()).schemaVersion).toBe(10);
      const all = await store.listDeadLetters({ includeReplayed: true, includeDiscarded: true });
      expectMerged((await Promise.all(all.map((l) => store.getDeadLetter(l.id)))) as DeadLetterWithHistory[]);
    } finally {
      await store.close();
    }
  });

  describeStore('postgres', 'on PostgreSQL', () => {
    it('merges them', async () => {
      const schema = `hs_test_dlmig_${process.pid}_${randomBytes(3).toString('hex')}`;
      const client = new Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      let store: PgStore | null = null;
      try {
        await client.query(`CREATE SCHEMA ${quoteIdent(schema)}; SET search_path = ${quoteIdent(schema)}`);
        await client.query('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
        for (const m of PG_MIGRATIONS.filter((x) => x.version <= 9)) {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations VALUES ($1, $2, 0)', [m.version, m.name]);
        }
        for (const id of [1, 2]) {
          // The identity gives 1 and 2 in a fresh schema.
          const { rows } = await client.query(
            `INSERT INTO inbox_events (vendor, connection_id, entity_key, dedupe_key, event_type, source, payload, headers, received_at, status, attempts, next_attempt_at, last_error)
             VALUES ('zendesk', 'default', $1, $2, 'zen:event-type:ticket.comment_added', 'webhook', '{}', '{}', 0, $3, 3, 0, $4) RETURNING id`,
            [`ticket:${5157 + id}`, `delivery:${id}`, id === 1 ? 'dead' : 'pending', ZD_422],
          );
          expect(Number(rows[0].id)).toBe(id);
        }
        for (const l of OLD_LETTERS) {
          await client.query(
            `INSERT INTO dead_letters (event_id, vendor, connection_id, entity_key, event_type, attempts, error, dead_at, replayed_at)
             VALUES ($1, 'zendesk', 'default', 'ticket:x', 'zen:event-type:ticket.comment_added', $2, $3, $4, $5)`,
            [l.event, l.attempts, l.error, l.dead, l.replayed],
          );
        }
        store = new PgStore(TEST_DATABASE_URL, { schema, poolSize: 2 });
        expect((await store.health()).schemaVersion).toBe(10);
        const all = await store.listDeadLetters({ includeReplayed: true, includeDiscarded: true });
        expectMerged((await Promise.all(all.map((l) => (store as PgStore).getDeadLetter(l.id)))) as DeadLetterWithHistory[]);
        // New deaths after the migration: the kept letter is updated, a new event gets a new one.
        const { eventId } = await (store as PgStore).enqueue(zendeskComment({ dedupeKey: 'delivery:after-migration' }));
        expect(eventId).toBe(3);
        await kill(store, eventId, WORKER_A, ZD_422, at(0));
        expect((await store.listDeadLetters()).map((l) => [l.id, l.eventId])).toEqual([
          [1, 1],
          [4, 3],
        ]);
      } finally {
        await store?.close();
        await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
        await client.end();
      }
    });
  });
});

describeStore('postgres', "dead letters and pg-boss's dead queue", (makeStore) => {
  let store: PgStore;
  let jobs: PgBossJobs;
  let bossSchema: string;

  beforeAll(async () => {
    store = makeStore() as PgStore;
    bossSchema = `hs_test_dlboss_${process.pid}_${randomBytes(3).toString('hex')}`;
    jobs = await PgBossJobs.start({
      store,
      logger: createLogger({ level: 'silent' }),
      retry: { maxAttempts: 5, backoffBaseMs: 1000, backoffMaxMs: 60_000, leaseMs: LEASE },
      supervise: false,
      schema: bossSchema,
    });
  }, 60_000);

  afterAll(async () => {
    await jobs?.stop();
    const client = new Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(bossSchema)} CASCADE`);
    await client.end();
  });

  const deadCopies = async () => (await jobs.boss.findJobs<DeadJobData>(DEAD_QUEUE)).map((j) => ({ eventId: j.data.eventId, deadLetterId: j.data.deadLetterId, error: j.data.error }));
  const inboxJobs = async (eventId: number) => (await jobs.boss.findJobs<{ eventId: number }>(INBOX_QUEUE, { data: { eventId } })).length;

  it('a replayed event that dies again is copied to the dead queue under the same dead-letter id; a discard removes the copy', async () => {
    const { eventId } = await store.enqueue(zendeskComment());
    expect(await inboxJobs(eventId)).toBe(1);
    await kill(store, eventId, WORKER_A, ZD_422, at(0));
    const [letter] = await store.listDeadLetters();
    expect(await deadCopies()).toEqual([{ eventId, deadLetterId: letter!.id, error: ZD_422 }]);

    expect(await store.replayDeadLetters({ ids: [letter!.id], by: 'dana@ops-laptop' }, at(MIN))).toBe(1);
    expect(await deadCopies()).toEqual([]);
    expect(await inboxJobs(eventId)).toBe(2);

    await kill(store, eventId, WORKER_B, ZD_422_AGAIN, at(2 * MIN));
    expect(await deadCopies()).toEqual([{ eventId, deadLetterId: letter!.id, error: ZD_422_AGAIN }]);
    expect((await store.listDeadLetters()).map((l) => [l.id, l.deaths])).toEqual([[letter!.id, 2]]);

    expect(await store.discardDeadLetter(letter!.id, 'the customer closed the ticket; the comment is obsolete', 'dana@ops-laptop', at(3 * MIN))).toBe('discarded');
    expect(await deadCopies()).toEqual([]);
    expect((await store.getEvent(eventId))?.status).toBe('dead');
  });
});
