import type { NewInboxEvent, Store } from '../../src/store/types';
import type { EventProcessor } from '../../src/sync/processor';
import { runEvent } from '../../src/sync/run-event';
import { Worker } from '../../src/sync/worker';
import { CircuitOpenError, Circuits } from '../../src/vendors/core/circuit';
import { VendorApiError } from '../../src/vendors/core/errors';
import { memoryStore } from '../helpers/app';
import { captureLogs } from '../helpers/logs';

/**
 * The worker's slots under a store that refuses writes (a full disk): whatever throws, a slot
 * logs it and goes on, the outcome it could not record is written once the store takes writes
 * again, and no event is left `processing` until its lease runs out.
 */

const WRITES = new Set(['complete', 'coalesce', 'fail', 'deadLetter', 'claimNext', 'enqueue', 'saveSnapshot']);

/** The store with a switch: while `full`, every write throws SQLITE_FULL as better-sqlite3 would. */
function fillableStore(): { store: Store; full: { on: boolean }; refused: string[] } {
  const inner = memoryStore();
  const full = { on: false };
  const refused: string[] = [];
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (full.on && WRITES.has(String(prop))) {
          refused.push(String(prop));
          const err = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
          return Promise.reject(err);
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as Store;
  return { store, full, refused };
}

const event = (ticket: string, i: number): NewInboxEvent => ({
  vendor: 'zendesk',
  connectionId: 'default',
  entityKey: `ticket:${ticket}`,
  dedupeKey: `delivery:7a1c0f52-${ticket}-4c2e-a1b9-${String(i).padStart(12, '0')}`,
  dedupeWindowMs: null,
  eventType: 'zen:event-type:ticket.comment_added',
  source: 'webhook',
  payload: { type: 'zen:event-type:ticket.comment_added', detail: { id: ticket }, event: { comment: { id: 39241850117, is_public: true } } },
  headers: {},
  receivedAt: new Date('2026-12-03T09:12:40Z'),
});

const until = async (check: () => Promise<boolean> | boolean, what: string, ms = 5_000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
};

const options = { concurrency: 2, pollIntervalMs: 10, maxAttempts: 3, backoffBaseMs: 10, backoffMaxMs: 20, leaseMs: 120_000 };

describe('worker slots supervise themselves', () => {
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  beforeAll(() => process.on('unhandledRejection', onRejection));
  afterAll(() => process.off('unhandledRejection', onRejection));
  beforeEach(() => rejections.splice(0));

  it('an outcome the full store refused is written once space is back; the slot lives on, nothing stays processing', async () => {
    const { store, full, refused } = fillableStore();
    const { lines, logger } = captureLogs();
    let running = 0;
    let mostAtOnce = 0;
    const processor = {
      process: async (e: { entityKey: string }) => {
        running += 1;
        mostAtOnce = Math.max(mostAtOnce, running);
        await new Promise((r) => setTimeout(r, 30));
        running -= 1;
        // The disk fills while the first event is in the vendor call.
        if (e.entityKey === 'ticket:5158') full.on = true;
        return 'updated';
      },
    } as unknown as EventProcessor;
    const worker = new Worker(store, processor, logger, { ...options, workerId: 'w-full' });
    await store.enqueue(event('5158', 1));
    await worker.start();
    try {
      await until(() => refused.includes('coalesce') || refused.includes('complete'), 'the outcome to be refused');
      await new Promise((r) => setTimeout(r, 100));
      expect((await store.getEvent(1))?.status).toBe('processing');
      full.on = false;
      await until(async () => (await store.getEvent(1))?.status === 'done', 'the owed outcome to be written');
      // Both slots still work: two slow tickets run side by side.
      mostAtOnce = 0;
      await store.enqueue(event('5159', 2));
      await store.enqueue(event('5160', 3));
      worker.wake();
      await until(async () => (await store.inboxCounts()).done === 3, 'both tickets to finish');
      expect(mostAtOnce).toBe(2);
      expect(await store.inboxCounts()).toEqual({ pending: 0, processing: 0, done: 3, dead: 0 });
    } finally {
      await worker.stop();
    }
    const owed = lines.find((l) => l.message === 'could not record an event outcome; the slot keeps it and tries again');
    // With the event's own fields: which ticket, which vendor delivery.
    expect(owed).toMatchObject({ level: 'error', eventId: 1, outcome: 'done', ticketId: '5158', deliveryId: '7a1c0f52-5158-4c2e-a1b9-000000000001' });
    expect(String(owed?.error)).toContain('database or disk is full');
    expect(lines.some((l) => l.message === 'recorded an event outcome the store had refused' && l.eventId === 1)).toBe(true);
    expect(rejections).toEqual([]);
  });

  it('a failure whose store.fail is refused goes back to pending with backoff once the store recovers', async () => {
    const { store, full } = fillableStore();
    const { logger } = captureLogs();
    let calls = 0;
    const processor = {
      process: async () => {
        calls += 1;
        if (calls === 1) {
          full.on = true;
          throw new VendorApiError({ vendor: 'zendesk', connectionId: 'default', operation: 'getTicket', method: 'GET', path: '/api/v2/tickets/5158.json', kind: 'server', status: 502, vendorMessage: 'Bad Gateway' });
        }
        return 'updated';
      },
    } as unknown as EventProcessor;
    const worker = new Worker(store, processor, logger, { ...options, concurrency: 1, workerId: 'w-fail' });
    await store.enqueue(event('5158', 1));
    await worker.start();
    try {
      await new Promise((r) => setTimeout(r, 150));
      full.on = false;
      await until(async () => (await store.getEvent(1))?.status === 'done', 'the retried event to finish');
      expect(calls).toBe(2);
      expect((await store.getEvent(1))?.attempts).toBe(2);
    } finally {
      await worker.stop();
    }
    expect(rejections).toEqual([]);
  });

  it('a throw outside the processor (a metrics bug) is logged with the event id and the event is retried', async () => {
    const store = memoryStore();
    const { lines, logger } = captureLogs();
    let timers = 0;
    const metrics = {
      webhook: () => undefined,
      vendorCall: () => undefined,
      rateLimitWait: () => undefined,
      jobRun: () => undefined,
      circuitChanged: () => undefined,
      eventTimer: () => {
        timers += 1;
        if (timers === 1) throw new TypeError("Cannot read properties of undefined (reading 'startTimer')");
        return () => undefined;
      },
    };
    const processor = { process: async () => 'updated' } as unknown as EventProcessor;
    const worker = new Worker(store, processor, logger, { ...options, concurrency: 1, workerId: 'w-bug' }, metrics);
    await store.enqueue(event('5158', 1));
    await worker.start();
    try {
      await until(async () => (await store.getEvent(1))?.status === 'done', 'the event to be retried and finish');
    } finally {
      await worker.stop();
    }
    expect(lines.find((l) => l.message === 'unexpected error around an event; it goes back to pending')).toMatchObject({ level: 'error', eventId: 1, ticketId: '5158', deliveryId: '7a1c0f52-5158-4c2e-a1b9-000000000001' });
    expect(rejections).toEqual([]);
  });
});

describe('waiting out a vendor outage spends no attempts', () => {
  it('an event refused by an open circuit goes back to pending with its attempts given back, however often', async () => {
    const store = memoryStore();
    const { logger } = captureLogs();
    const retryAt = new Date('2026-12-03T10:00:05Z');
    const processor = { process: async () => Promise.reject(new CircuitOpenError('jira', 'default', 'outage', retryAt)) } as unknown as EventProcessor;
    await store.enqueue(event('5158', 1));
    const deps = { store, processor, logger, workerId: 'w', maxAttempts: 2, backoffBaseMs: 10, backoffMaxMs: 10, now: () => new Date('2026-12-03T10:00:00Z') };
    for (let round = 0; round < 10; round++) {
      const claimed = await store.claimNext('w', retryAt, 60_000);
      expect(claimed?.attempts).toBe(1);
      expect(await runEvent(deps, claimed!)).toMatchObject({ kind: 'paused', waitMs: 5_000 });
    }
    const after = await store.getEvent(1);
    expect(after).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: retryAt });
    expect(await store.listDeadLetters()).toEqual([]);
  });

  it('a 503 counts while its connection looks healthy, and stops counting once the circuit opens', async () => {
    const store = memoryStore();
    const { logger } = captureLogs();
    const circuits = new Circuits({ failureThreshold: 2, probeBaseMs: 1_000, probeMaxMs: 1_000, authProbeMs: 1_000 });
    const now = new Date('2026-12-03T10:00:00Z');
    const err = new VendorApiError({ vendor: 'jira', connectionId: 'default', operation: 'createIssue', method: 'POST', path: '/rest/api/3/issue', kind: 'server', status: 503, vendorMessage: 'Service Unavailable' });
    const processor = {
      process: async () => {
        circuits.of('jira', 'default').failed(err, now);
        throw err;
      },
    } as unknown as EventProcessor;
    await store.enqueue(event('5158', 1));
    const deps = { store, processor, logger, workerId: 'w', maxAttempts: 5, backoffBaseMs: 10, backoffMaxMs: 10, now: () => now, circuits };
    const first = await store.claimNext('w', now, 60_000);
    expect((await runEvent(deps, first!)).kind).toBe('retry');
    const second = await store.claimNext('w', new Date(now.getTime() + 60_000), 60_000);
    expect((await runEvent(deps, second!)).kind).toBe('paused');
    expect((await store.getEvent(1))?.attempts).toBe(1);
  });

  it('an event claimed again and again without an outcome (the process died each time) goes to the dead letters', async () => {
    const store = memoryStore();
    const { logger } = captureLogs();
    let ran = 0;
    const processor = {
      process: async () => {
        ran += 1;
        return 'updated';
      },
    } as unknown as EventProcessor;
    await store.enqueue(event('5158', 1));
    let at = new Date('2026-12-03T10:00:00Z').getTime();
    // Five leases that ran out: the process was killed while handling it, five times.
    for (let i = 0; i < 5; i++) {
      expect(await store.claimNext('w', new Date(at), 1_000)).not.toBeNull();
      at += 2_000;
    }
    const claimed = await store.claimNext('w', new Date(at), 1_000);
    expect(claimed?.attempts).toBe(6);
    const outcome = await runEvent({ store, processor, logger, workerId: 'w', maxAttempts: 4, backoffBaseMs: 10, backoffMaxMs: 10, now: () => new Date(at) }, claimed!);
    expect(outcome).toEqual({ kind: 'dead', error: 'claimed 6 times without an outcome: the process stopped while handling it each time' });
    expect(ran).toBe(0);
    expect((await store.listDeadLetters()).map((d) => d.eventId)).toEqual([1]);
  });
});
