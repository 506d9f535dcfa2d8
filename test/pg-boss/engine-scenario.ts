/**
 * The pg-boss engine on a real PostgreSQL, in a process of its own (jest cannot load ESM-only
 * pg-boss): run by test/pg-boss/engine.test.ts as `tsx test/pg-boss/engine-scenario.ts <url>`;
 * prints one JSON line of what happened. Its own schemas (ours and pg-boss's), dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createLogger } from '../../src/logging/logger';
import { PgStore, quoteIdent } from '../../src/store/postgres/pg-store';
import type { InboxEvent, NewInboxEvent } from '../../src/store/types';
import { PgBossEngine } from '../../src/sync/engine/pg-boss-engine';
import { DEAD_QUEUE, INBOX_QUEUE, PgBossJobs } from '../../src/sync/engine/pg-boss-jobs';
import { PermanentEventError } from '../../src/sync/errors';
import type { EventProcessor } from '../../src/sync/processor';

const url = process.argv[2] ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `hs_pgboss_${randomBytes(4).toString('hex')}`;
const bossSchema = `${schema}_boss`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Payload {
  n: number;
  permanent?: boolean;
  failTimes?: number;
  delayMs?: number;
}

async function main(): Promise<void> {
  const logger = createLogger({ level: 'silent' });
  const store = new PgStore(url, { schema });
  const retry = { maxAttempts: 3, backoffBaseMs: 1000, backoffMaxMs: 2000, leaseMs: 30_000 };
  const runs: Array<{ entity: string; n: number; attempt: number; at: number; ok: boolean }> = [];
  const healed = new Set<number>();
  const processor = {
    async process(event: InboxEvent): Promise<'echo'> {
      const p = event.payload as Payload;
      if (p.delayMs) await sleep(p.delayMs);
      const fail = (p.permanent && !healed.has(event.id)) || (p.failTimes !== undefined && event.attempts <= p.failTimes);
      runs.push({ entity: event.entityKey, n: p.n, attempt: event.attempts, at: Date.now(), ok: !fail });
      if (p.permanent && !healed.has(event.id)) throw new PermanentEventError(`event ${event.id} cannot work`);
      if (fail) throw new Error(`event ${event.id} failed (attempt ${event.attempts})`);
      // 'echo': nothing fetched, so nothing coalesced: every event runs.
      return 'echo';
    },
  } as unknown as EventProcessor;

  const jobs = await PgBossJobs.start({ store, logger, retry, supervise: true, schema: bossSchema });
  const engine = new PgBossEngine(jobs, store, processor, logger, { ...retry, concurrency: 4, pollIntervalMs: 100, workerId: 'scenario' });
  let serial = 0;
  const enqueue = async (ticket: string, payload: Payload) => {
    serial += 1;
    const e: NewInboxEvent = {
      vendor: 'zendesk',
      connectionId: 'default',
      entityKey: `ticket:${ticket}`,
      dedupeKey: `delivery:${serial}`,
      dedupeWindowMs: null,
      eventType: 'zen:event-type:ticket.updated',
      source: 'webhook',
      payload,
      headers: {},
      receivedAt: new Date(),
    };
    return store.enqueue(e);
  };
  const out: Record<string, unknown> = { schema, bossSchema };
  try {
    // A redelivery is acknowledged by the inbox and never reaches pg-boss.
    const first = await enqueue('A', { n: 1, delayMs: 30 });
    const again = await store.enqueue({
      vendor: 'zendesk', connectionId: 'default', entityKey: 'ticket:A', dedupeKey: 'delivery:1', dedupeWindowMs: null,
      eventType: 'zen:event-type:ticket.updated', source: 'webhook', payload: { n: 1 }, headers: {}, receivedAt: new Date(),
    });
    out.redelivery = { first: first.eventId, again: again.eventId, duplicate: again.duplicate };
    // A: five events, each slow enough that they would overlap if run in parallel.
    for (let n = 2; n <= 5; n += 1) await enqueue('A', { n, delayMs: 30 });
    // B: a permanent failure, then a good event.
    const dead = await enqueue('B', { n: 1, permanent: true });
    await enqueue('B', { n: 2 });
    // C: fails once (pg-boss retries after ~1 s), then its second event; D meanwhile.
    await enqueue('C', { n: 1, failTimes: 1 });
    await enqueue('C', { n: 2 });
    for (let n = 1; n <= 3; n += 1) await enqueue('D', { n });
    // E: eight events arriving together, written in one group (one transaction, one created_on
    // for all their jobs): they still run in the order they arrived.
    await Promise.all(Array.from({ length: 8 }, (_, i) => enqueue('E', { n: i + 1 })));
    out.jobsSent = (await jobs.boss.findJobs(INBOX_QUEUE, { limit: 100 })).length;

    await engine.start();
    const deadline = Date.now() + 30_000;
    for (;;) {
      const c = await store.inboxCounts();
      if (c.pending === 0 && c.processing === 0) break;
      if (Date.now() > deadline) {
        const js = (await jobs.boss.findJobs<{ eventId: number }>(INBOX_QUEUE, { limit: 100 })).map((j) => [j.data.eventId, j.singletonKey, j.state, j.retryCount]);
        throw new Error(`timed out: ${JSON.stringify(c)} ${JSON.stringify(js)} ${JSON.stringify(runs)}`);
      }
      await sleep(100);
    }
    out.countsBeforeReplay = await store.inboxCounts();
    out.deadLetters = (await store.listDeadLetters()).map((d) => ({ eventId: d.eventId, entityKey: d.entityKey, error: d.error }));
    out.deadQueue = (await jobs.boss.findJobs<{ eventId: number }>(DEAD_QUEUE)).map((j) => j.data.eventId);
    out.blockedKeys = await jobs.boss.getBlockedKeys(INBOX_QUEUE);
    out.deadEventId = dead.eventId;

    // Replay: the inbox row goes back to pending and a new job is sent, in one transaction.
    healed.add(dead.eventId);
    const letters = await store.listDeadLetters();
    out.replayed = await store.replayDeadLetters({ ids: letters.map((l) => l.id) }, new Date());
    const replayDeadline = Date.now() + 15_000;
    while ((await store.getEvent(dead.eventId))?.status !== 'done') {
      if (Date.now() > replayDeadline) throw new Error('replay did not run');
      await sleep(100);
    }
    out.countsAfterReplay = await store.inboxCounts();
    out.deadQueueAfterReplay = (await jobs.boss.findJobs(DEAD_QUEUE)).length;
    out.status = await jobs.inboxStatus().then((s) => ({ inboxActive: s.inbox?.activeCount, inboxFailed: s.inbox?.failedCount, blockedKeys: s.blockedKeys }));
    out.runs = runs;
  } finally {
    await engine.stop();
    await store.close();
    const c = new Client({ connectionString: url });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    await c.query(`DROP SCHEMA IF EXISTS ${quoteIdent(bossSchema)} CASCADE`);
    await c.end();
  }
  process.stdout.write(`RESULT ${JSON.stringify(out)}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
