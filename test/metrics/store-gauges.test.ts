import { PassThrough } from 'node:stream';
import { createLogger } from '../../src/logging/logger';
import { Metrics } from '../../src/metrics/registry';
import type { NewInboxEvent, Store } from '../../src/store/types';
import { PermanentEventError } from '../../src/sync/errors';
import type { EventProcessor } from '../../src/sync/processor';
import { Worker } from '../../src/sync/worker';
import { memoryStore } from '../helpers/app';
import { valueOf } from './scrape';

const logger = createLogger({ level: 'silent' });
const NOW = new Date('2025-01-08T14:25:31Z');

const event = (ticket: string, i: number): NewInboxEvent => ({
  vendor: 'zendesk',
  connectionId: 'default',
  entityKey: `ticket:${ticket}`,
  dedupeKey: `delivery:d4f5c389-0000-4c2e-a1b9-${String(i).padStart(12, '0')}`,
  dedupeWindowMs: null,
  eventType: 'ticket.comment_added',
  source: 'webhook',
  payload: { type: 'zen:event-type:ticket.comment_added', detail: { id: ticket } },
  headers: {},
  receivedAt: NOW,
});

describe('inbox depth gauge', () => {
  it('reads the store counts at scrape time, by state', async () => {
    const store = memoryStore();
    const metrics = new Metrics({ store, logger, now: () => NOW });
    for (const [i, ticket] of ['90417', '90418', '90419', '90420'].entries()) await store.enqueue(event(ticket, i));
    const first = await store.claimNext('w1', NOW, 60_000);
    await store.complete(first!.id, 'w1', NOW);
    const second = await store.claimNext('w1', NOW, 60_000);
    await store.deadLetter(second!.id, 'w1', 'HTTP 404', NOW);
    await store.claimNext('w1', NOW, 60_000);

    const text = await metrics.text();
    expect(await store.inboxCounts()).toEqual({ pending: 1, processing: 1, done: 1, dead: 1 });
    for (const state of ['pending', 'processing', 'done', 'dead']) {
      expect(valueOf(text, 'helpdesk_sync_inbox_events', { state })).toBe(1);
    }

    // Read again at the next scrape, not cached.
    await store.enqueue(event('90421', 9));
    expect(valueOf(await metrics.text(), 'helpdesk_sync_inbox_events', { state: 'pending' })).toBe(2);
  });

  it('still answers when the store fails, with the last values, and logs why', async () => {
    const store = memoryStore();
    const stream = new PassThrough();
    let logged = '';
    stream.on('data', (chunk: Buffer) => (logged += chunk.toString('utf8')));
    const failing = Object.create(store) as Store;
    let broken = false;
    failing.inboxCounts = () => (broken ? Promise.reject(new Error('SQLITE_BUSY: database is locked')) : store.inboxCounts());
    failing.listCursors = () => (broken ? Promise.reject(new Error('SQLITE_BUSY: database is locked')) : store.listCursors());
    const metrics = new Metrics({ store: failing, logger: createLogger({ level: 'warn', format: 'json', stream }), now: () => NOW });
    await store.enqueue(event('90417', 1));
    await store.setCursor('poll:freshdesk:default', '2025-01-08T14:20:31Z', NOW);
    expect(valueOf(await metrics.text(), 'helpdesk_sync_inbox_events', { state: 'pending' })).toBe(1);

    broken = true;
    await store.enqueue(event('90418', 2));
    const text = await metrics.text();
    expect(valueOf(text, 'helpdesk_sync_inbox_events', { state: 'pending' })).toBe(1);
    expect(valueOf(text, 'helpdesk_sync_poll_lag_seconds', { cursor: 'poll:freshdesk:default' })).toBe(300);
    expect(logged).toContain('could not read inbox counts');
    expect(logged).toContain('could not read sync cursors');
  });
});

describe('poll lag gauge', () => {
  it('is the seconds since each time cursor, leaving opaque and backfill cursors out', async () => {
    const store = memoryStore();
    let now = NOW;
    const metrics = new Metrics({ store, logger, now: () => now });
    await store.setCursor('poll:freshdesk:default', '2025-01-08T14:20:31Z', NOW);
    await store.setCursor('poll:jira:default', '2025-01-08T14:24:31.000+0000', NOW);
    await store.setCursor('poll:zendesk:default', 'MTczNjM0NjMzMC4wfHwxMjM0NXw=', NOW);
    await store.setCursor('backfill:zendesk:default', JSON.stringify({ since: '2025-01-01T00:00:00Z', position: null, after: null, complete: false }), NOW);

    let text = await metrics.text();
    expect(valueOf(text, 'helpdesk_sync_poll_lag_seconds', { cursor: 'poll:freshdesk:default' })).toBe(300);
    expect(valueOf(text, 'helpdesk_sync_poll_lag_seconds', { cursor: 'poll:jira:default' })).toBe(60);
    expect(valueOf(text, 'helpdesk_sync_poll_lag_seconds', { cursor: 'poll:zendesk:default' })).toBeUndefined();
    expect(valueOf(text, 'helpdesk_sync_poll_lag_seconds', { cursor: 'backfill:zendesk:default' })).toBeUndefined();

    now = new Date(NOW.getTime() + 60_000);
    text = await metrics.text();
    expect(valueOf(text, 'helpdesk_sync_poll_lag_seconds', { cursor: 'poll:freshdesk:default' })).toBe(360);
  });
});

describe('event processing histogram', () => {
  it('times each event the worker runs, by vendor and outcome', async () => {
    const store = memoryStore();
    const metrics = new Metrics({ store, logger, defaultMetrics: false });
    const processor = {
      process: async (e: { entityKey: string }) => {
        if (e.entityKey === 'ticket:90418') throw new PermanentEventError('the ticket is gone');
        if (e.entityKey === 'ticket:90419') throw new Error('socket hang up');
        return 'updated';
      },
    } as unknown as EventProcessor;
    const worker = new Worker(
      store,
      processor,
      logger,
      { concurrency: 1, pollIntervalMs: 50, maxAttempts: 5, backoffBaseMs: 60_000, backoffMaxMs: 60_000, leaseMs: 60_000 },
      metrics,
    );
    for (const [i, ticket] of ['90417', '90418', '90419'].entries()) await store.enqueue(event(ticket, i));
    expect(await worker.drain()).toBe(3);

    const text = await metrics.text();
    const count = (outcome: string) => valueOf(text, 'helpdesk_sync_event_processing_seconds_count', { vendor: 'zendesk', outcome });
    expect([count('done'), count('dead'), count('retry')]).toEqual([1, 1, 1]);
    expect(text).not.toContain('90417');
  });

  it('works without metrics (the default records nothing)', async () => {
    const store = memoryStore();
    const processor = { process: async () => 'updated' } as unknown as EventProcessor;
    const worker = new Worker(store, processor, logger, { concurrency: 1, pollIntervalMs: 50, maxAttempts: 5, backoffBaseMs: 10, backoffMaxMs: 10, leaseMs: 60_000 });
    await store.enqueue(event('90417', 1));
    expect(await worker.drain()).toBe(1);
  });
});
