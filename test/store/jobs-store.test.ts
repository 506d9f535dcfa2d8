import type { NewInboxEvent } from '../../src/store/types';
import { describeEachStore } from '../helpers/stores';

/** The store's part of M6: job locks with an expiry, job runs, cursors and the backfill's pending count. */
describeEachStore('store: scheduled jobs', (makeStore, _kind, f) => {
  const t0 = new Date('2026-01-08T14:00:00Z');
  const later = (ms: number) => new Date(t0.getTime() + ms);

  it('holds a lock for one holder until it expires or is released', async () => {
    const store = makeStore();
    expect(await store.acquireLock('job:poll', 'host-a:101:aaaa', t0, 10_000)).toBe(true);
    expect(await store.acquireLock('job:poll', 'host-b:202:bbbb', later(5_000), 10_000)).toBe(false);
    // The holder renews: the expiry moves on from the renewal.
    expect(await store.acquireLock('job:poll', 'host-a:101:aaaa', later(9_000), 10_000)).toBe(true);
    expect(await store.acquireLock('job:poll', 'host-b:202:bbbb', later(15_000), 10_000)).toBe(false);
    // A dead holder never renews: after the expiry anyone may take it.
    expect(await store.acquireLock('job:poll', 'host-b:202:bbbb', later(19_001), 10_000)).toBe(true);
    // Releasing someone else's lock does nothing.
    await store.releaseLock('job:poll', 'host-a:101:aaaa');
    expect(await store.acquireLock('job:poll', 'host-a:101:aaaa', later(20_000), 10_000)).toBe(false);
    await store.releaseLock('job:poll', 'host-b:202:bbbb');
    expect(await store.acquireLock('job:poll', 'host-a:101:aaaa', later(20_000), 10_000)).toBe(true);
    // Locks are per job.
    expect(await store.acquireLock('job:backfill', 'host-b:202:bbbb', later(20_000), 10_000)).toBe(true);
    await store.close();
  });

  it('lets two processes on one database race for a lock: exactly one wins', async () => {
    const [a, b] = f.makeShared();
    const won = await Promise.all([a.acquireLock('job:poll', 'a', t0, 60_000), b.acquireLock('job:poll', 'b', t0, 60_000)]);
    expect(won.filter(Boolean)).toHaveLength(1);
    await a.close();
    await b.close();
  });

  it('records runs and answers the newest of each job', async () => {
    const store = makeStore();
    const first = await store.startJobRun('poll', 'h:1:a', t0);
    await store.finishJobRun(first, { outcome: 'ok', summary: { seen: 3, changed: 1, enqueued: 1, errors: 0 }, error: null }, later(1200));
    const second = await store.startJobRun('poll', 'h:1:b', later(60_000));
    await store.finishJobRun(second, { outcome: 'failed', summary: { seen: 0, changed: 0, enqueued: 0, errors: 1 }, error: 'zendesk/default: 503' }, later(61_000));
    await store.startJobRun('backfill', 'h:2:c', later(30_000));
    const runs = await store.lastJobRuns();
    expect(runs.map((r) => [r.job, r.outcome])).toEqual([
      ['backfill', 'running'],
      ['poll', 'failed'],
    ]);
    expect(runs[1]).toMatchObject({ id: second, error: 'zendesk/default: 503', summary: { errors: 1 }, startedAt: later(60_000), finishedAt: later(61_000) });
    expect(runs[0]?.finishedAt).toBeNull();
    await store.close();
  });

  it('keeps cursors and counts pending events per source', async () => {
    const store = makeStore();
    expect(await store.getCursor('poll:zendesk:default')).toBeNull();
    await store.setCursor('poll:zendesk:default', 'MTczNjM0NjY2MC4wfHw1MTYxfA==', t0);
    await store.setCursor('poll:zendesk:default', 'MTczNjM0NjcwMC4wfHw1MTYyfA==', later(60_000));
    await store.setCursor('backfill:freshdesk:default', '{"since":"2026-01-01T00:00:00Z"}', t0);
    expect(await store.getCursor('poll:zendesk:default')).toBe('MTczNjM0NjcwMC4wfHw1MTYyfA==');
    expect((await store.listCursors()).map((c) => [c.name, c.updatedAt.toISOString()])).toEqual([
      ['backfill:freshdesk:default', t0.toISOString()],
      ['poll:zendesk:default', later(60_000).toISOString()],
    ]);

    const event = (n: number, source: NewInboxEvent['source']): NewInboxEvent => ({
      vendor: 'zendesk',
      connectionId: 'default',
      entityKey: `ticket:${5000 + n}`,
      dedupeKey: `${source}:${5000 + n}:2026-01-08T14:00:00Z`,
      dedupeWindowMs: null,
      eventType: source === 'backfill' ? 'backfill.ticket' : 'poll.ticket_changed',
      source,
      payload: {},
      headers: {},
      receivedAt: t0,
    });
    for (let n = 0; n < 3; n += 1) await store.enqueue(event(n, 'backfill'));
    await store.enqueue(event(9, 'poll'));
    expect(await store.countPending('backfill')).toBe(3);
    expect(await store.countPending('poll')).toBe(1);
    // Live events are claimed before backfill ones, whatever the order they came in.
    const claimed = await store.claimNext('w', later(1), 60_000);
    expect(claimed?.source).toBe('poll');
    const next = await store.claimNext('w', later(2), 60_000);
    expect(next?.source).toBe('backfill');
    await store.complete(next?.id ?? 0, 'w', later(3));
    expect(await store.countPending('backfill')).toBe(2);
    await store.close();
  });
});
