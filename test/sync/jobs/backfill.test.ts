import { seedFreshdeskHistory, seedZendeskHistory } from '../../../src/sandbox/core/history-seed';
import { INTEGRATION_ACTORS, startSandboxes, type Sandboxes } from '../../../src/sandbox/world';
import { silentProgress, type JobProgress, type PageReport } from '../../../src/sync/jobs/progress';
import { runJob } from '../../../src/sync/jobs/run-job';
import { eventsOf, jobsConfig, jobsRig } from './rig';

/** M6 backfill against the sandboxes: streaming pages, live events first, resumable from its cursor. */
describe('M6 backfill against the sandboxes', () => {
  let boxes: Sandboxes;
  const since = new Date('2025-01-01T00:00:00Z');
  beforeAll(async () => {
    boxes = await startSandboxes({ webhookRetryDelayMs: 20 });
    seedFreshdeskHistory(boxes.freshdesk, 250, new Date('2025-02-01T00:00:00Z'), new Date('2025-06-01T00:00:00Z'));
    seedZendeskHistory(boxes.zendesk, 2500, new Date('2025-02-01T00:00:00Z'), new Date('2025-06-01T00:00:00Z'));
  });
  afterAll(() => boxes.close());

  const only = (vendor: 'freshdesk' | 'zendesk') => ({ ...boxes.env, ...(vendor === 'freshdesk' ? { ZENDESK_URL: undefined } : { FRESHDESK_URL: undefined }), JIRA_URL: undefined });
  const listCalls = (from: number) => boxes.freshdesk.http.calls.since(from, { actor: INTEGRATION_ACTORS.freshdesk, method: 'GET', path: '/api/v2/tickets' }).length;
  const exportCalls = (from: number) => boxes.zendesk.http.calls.since(from, { actor: INTEGRATION_ACTORS.zendesk, path: '/api/v2/incremental/tickets/cursor.json' }).length;
  const progressWith = (hooks: Partial<JobProgress>): JobProgress => ({ ...silentProgress, ...hooks });

  it('holds back while too many of its events wait, and live events are claimed first', async () => {
    const rig = jobsRig(jobsConfig(only('freshdesk'), { jobs: { backfillMaxPending: 50 } }));
    const from = Date.now();
    let waits = 0;
    const run = runJob({ ...rig.deps, progress: progressWith({ waiting: () => (waits += 1) }) }, { job: 'backfill', since });
    const until = async (check: () => Promise<boolean>) => {
      for (let i = 0; i < 200 && !(await check()); i += 1) await new Promise((r) => setTimeout(r, 25));
    };
    await until(async () => (await rig.store.countPending('backfill')) === 50);
    await new Promise((r) => setTimeout(r, 1500));
    // Half a page queued, the room (50) full: the rest waits, and no second page was asked for.
    expect(await rig.store.countPending('backfill')).toBe(50);
    expect(listCalls(from)).toBe(1);
    expect(waits).toBeGreaterThan(0);
    // A webhook arrives meanwhile: it is claimed before the backfill's events.
    await rig.store.enqueue({ vendor: 'freshdesk', connectionId: 'default', entityKey: 'ticket:9001', dedupeKey: 'webhook-1', dedupeWindowMs: null, eventType: 'ticket_updated', source: 'webhook', payload: {}, headers: {}, receivedAt: new Date() });
    expect((await rig.store.claimNext('w', new Date(), 60_000))?.source).toBe('webhook');
    // A worker drains the inbox; the walk goes on as room appears.
    let done = false;
    void run.then(() => (done = true));
    while (!done) {
      const e = await rig.store.claimNext('w', new Date(), 60_000);
      if (e) await rig.store.complete(e.id, 'w', new Date());
      else await new Promise((r) => setTimeout(r, 10));
    }
    const result = await run;
    const total = [...boxes.freshdesk.state.tickets.values()].filter((t) => Date.parse(t.updatedAt) >= since.getTime()).length;
    expect(result).toMatchObject({ outcome: 'ok', summary: { seen: total, enqueued: total, errors: 0 } });
    expect(listCalls(from)).toBe(Math.ceil(total / 100));
  });

  it('resumes from its cursor after a stop, queueing each ticket once', async () => {
    const rig = jobsRig(jobsConfig(only('freshdesk')));
    const stop = new AbortController();
    const first = await runJob({ ...rig.deps, progress: progressWith({ page: (r: PageReport) => r.page === 2 && stop.abort(new Error('killed')) }) }, { job: 'backfill', since, signal: stop.signal });
    expect(first.outcome).toBe('failed');
    const saved = JSON.parse((await rig.store.getCursor('backfill:freshdesk:default')) ?? '{}') as { position: string; complete: boolean };
    expect(saved.complete).toBe(false);
    const from = Date.now();

    const second = await rig.run({ job: 'backfill' });

    expect(second.outcome).toBe('ok');
    expect(second.notes.join('\n')).toMatch(`freshdesk/default: resumed from its cursor (stopped at ${saved.position})`);
    // Pages 1 and 2 are not read again: the walk starts at the saved position.
    expect(listCalls(from)).toBeLessThan(3);
    const events = await eventsOf(rig.store, 'freshdesk');
    const total = [...boxes.freshdesk.state.tickets.values()].filter((t) => Date.parse(t.updatedAt) >= since.getTime()).length;
    expect(new Set(events.map((e) => e.entityKey)).size).toBe(total);
    expect(events).toHaveLength(total);
    expect(JSON.parse((await rig.store.getCursor('backfill:freshdesk:default')) ?? '{}')).toMatchObject({ complete: true });
  });

  it('resumes a Zendesk walk from its saved after_cursor', async () => {
    const rig = jobsRig(jobsConfig(only('zendesk')));
    const stop = new AbortController();
    const first = await runJob({ ...rig.deps, progress: progressWith({ page: (r: PageReport) => r.page === 1 && stop.abort(new Error('killed')) }) }, { job: 'backfill', since, signal: stop.signal });
    expect(first.summary.enqueued).toBe(1000);
    const saved = JSON.parse((await rig.store.getCursor('backfill:zendesk:default')) ?? '{}') as { after: string };
    expect(saved.after).toEqual(expect.any(String));
    const from = Date.now();
    const second = await rig.run({ job: 'backfill' });
    expect(second.outcome).toBe('ok');
    expect(exportCalls(from)).toBe(2);
    const events = await eventsOf(rig.store, 'zendesk');
    expect(events).toHaveLength(boxes.zendesk.state.tickets.size);
    expect(new Set(events.map((e) => e.dedupeKey)).size).toBe(events.length);
  });

  it('needs --since the first time, and --restart walks again from it (nothing queued twice)', async () => {
    const rig = jobsRig(jobsConfig(only('freshdesk')));
    const none = await rig.run({ job: 'backfill' });
    expect(none).toMatchObject({ outcome: 'failed', error: 'freshdesk/default: no backfill of freshdesk/default to resume: give --since <date> for the first run' });
    const walked = await rig.run({ job: 'backfill', since });
    expect(walked.outcome).toBe('ok');
    const again = await rig.run({ job: 'backfill', since, restart: true });
    expect(again).toMatchObject({ outcome: 'ok', summary: { seen: walked.summary.seen, enqueued: 0 } });
    const later = await rig.run({ job: 'backfill', since: new Date('2025-03-01T00:00:00Z') });
    expect(later.notes.join('\n')).toMatch(/--since ignored, the saved backfill began at 2025-01-01T00:00:00Z/);
  });
});
