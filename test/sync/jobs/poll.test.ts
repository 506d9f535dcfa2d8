import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { createLogger } from '../../../src/logging/logger';
import { ZendeskAgent } from '../../../src/sandbox/demo/actors';
import { ZENDESK_AGENTS, ZENDESK_GROUPS, ZENDESK_REQUESTERS } from '../../../src/sandbox/seed-people';
import { INTEGRATION_ACTORS, startSandboxes, type Sandboxes } from '../../../src/sandbox/world';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store';
import type { Store } from '../../../src/store/types';
import { VendorClients } from '../../../src/sync/clients';
import { runJob } from '../../../src/sync/jobs/run-job';
import { scheduleSyncJobs } from '../../../src/sync/jobs/schedule';
import { eventsOf, jobsConfig, jobsRig, silent } from './rig';

/** M6 poll against the sandboxes: idle cost, "seen twice, processed once", locks and failures. */
describe('M6 poll against the sandboxes', () => {
  let boxes: Sandboxes;
  let dana: ZendeskAgent;
  beforeAll(async () => {
    boxes = await startSandboxes({ webhookRetryDelayMs: 20 });
    dana = new ZendeskAgent(boxes.urls.zendesk, ZENDESK_AGENTS.danaFox.email, ZENDESK_AGENTS.danaFox.apiKey);
  });
  afterEach(() => {
    for (const s of [boxes.zendesk, boxes.freshdesk, boxes.jira]) s.http.faults.clear();
  });
  afterAll(() => boxes.close());

  const config = (overrides: Record<string, unknown> = {}) => jobsConfig(boxes.env, overrides);
  const ours = (since: number) => ({
    zendesk: boxes.zendesk.http.calls.since(since, { actor: INTEGRATION_ACTORS.zendesk }).length,
    freshdesk: boxes.freshdesk.http.calls.since(since, { actor: INTEGRATION_ACTORS.freshdesk }).length,
    jira: boxes.jira.http.calls.since(since, { actor: INTEGRATION_ACTORS.jira }).length,
  });
  const fileStore = () => path.join(mkdtempSync(path.join(tmpdir(), 'hs-jobs-')), 'hs.db');

  it('costs one call per connection when nothing changed', async () => {
    const rig = jobsRig(config());
    expect((await rig.run({ job: 'poll' })).outcome).toBe('ok');
    const idleFrom = Date.now();
    const idle = await rig.run({ job: 'poll' });
    expect(idle).toMatchObject({ outcome: 'ok', summary: { enqueued: 0, errors: 0 } });
    expect(ours(idleFrom)).toEqual({ zendesk: 1, freshdesk: 1, jira: 1 });
    expect((await rig.store.listCursors()).map((c) => c.name)).toEqual(['poll:freshdesk:default', 'poll:jira:default', 'poll:zendesk:default']);
  });

  it('queues a change once, and nothing for a change a webhook already brought', async () => {
    const rig = jobsRig(config());
    await rig.run({ job: 'poll' });
    const ticket = await dana.createTicket({
      subject: 'Meter 31 reports negative usage',
      comment: { body: 'Meter 31 shows -12 kWh since the firmware update.', public: true },
      requester: { name: ZENDESK_REQUESTERS.maria.name, email: ZENDESK_REQUESTERS.maria.email },
      group_id: ZENDESK_GROUPS.aegentTier1.id,
    });
    const first = await rig.run({ job: 'poll' });
    expect(first.summary).toMatchObject({ changed: 1, enqueued: 1 });
    const [event] = (await eventsOf(rig.store, 'zendesk')).filter((e) => e.entityKey === `ticket:${ticket.id}`);
    expect(event).toMatchObject({ source: 'poll', eventType: 'poll.ticket_changed', dedupeKey: `poll:${ticket.id}:${boxes.zendesk.ticket(ticket.id)?.updatedAt}` });

    // The worker (or the webhook) processed that state: its snapshot now has it.
    await rig.store.saveSnapshot({ ref: { vendor: 'zendesk', connectionId: 'default', id: String(ticket.id) }, data: {}, vendorUpdatedAt: boxes.zendesk.ticket(ticket.id)?.updatedAt ?? null, savedAt: new Date(), deleted: false });
    await dana.comment(ticket.id, 'Checking the firmware changelog.', true);
    const second = await rig.run({ job: 'poll' });
    expect(second.summary).toMatchObject({ changed: 1, enqueued: 1 });

    // A webhook brought the comment's state too; polling again (or overlapping) queues nothing.
    await rig.store.saveSnapshot({ ref: { vendor: 'zendesk', connectionId: 'default', id: String(ticket.id) }, data: {}, vendorUpdatedAt: boxes.zendesk.ticket(ticket.id)?.updatedAt ?? null, savedAt: new Date(), deleted: false });
    await rig.store.setCursor('poll:zendesk:default', 'c2VxOjA=', new Date());
    const again = await rig.run({ job: 'poll' });
    expect(again.summary.enqueued).toBe(0);
    expect((await eventsOf(rig.store, 'zendesk')).filter((e) => e.entityKey === `ticket:${ticket.id}`)).toHaveLength(2);
  });

  it('never runs twice at once, also across processes: the second run skips and says so', async () => {
    const file = fileStore();
    const one = jobsRig(config(), { store: new SqliteStore(file) });
    const two = jobsRig(config(), { store: new SqliteStore(file) });
    boxes.zendesk.http.faults.set({ latencyMs: 400 });
    const from = Date.now();
    const [a, b] = await Promise.all([one.run({ job: 'poll' }), new Promise((r) => setTimeout(r, 100)).then(() => two.run({ job: 'poll' }))]);
    expect(a.outcome).toBe('ok');
    expect(b).toMatchObject({ outcome: 'skipped', error: 'another run holds the job:poll lock' });
    // Only one run called the vendors.
    expect(ours(from)).toEqual({ zendesk: 1, freshdesk: 1, jira: 1 });
    const runs = await (one.store as Store).lastJobRuns();
    expect(runs.find((r) => r.job === 'poll')).toMatchObject({ outcome: 'skipped', id: b.runId });
    // With --wait the second run waits for the lock instead of skipping.
    const [c, d] = await Promise.all([one.run({ job: 'poll' }), new Promise((r) => setTimeout(r, 100)).then(() => two.run({ job: 'poll', wait: true }))]);
    expect([c.outcome, d.outcome]).toEqual(['ok', 'ok']);
    await one.store.close();
    await two.store.close();
  });

  it('takes the lock of a holder that died once the lock expires', async () => {
    const rig = jobsRig(config({ jobs: { lockTtlSeconds: 1 } }));
    // A process that took the lock and was killed: it never renews or releases it.
    expect(await rig.store.acquireLock('job:poll', 'worker-7:4242:deadbeef', new Date(), 1000)).toBe(true);
    expect((await rig.run({ job: 'poll' })).outcome).toBe('skipped');
    await new Promise((r) => setTimeout(r, 1100));
    expect((await rig.run({ job: 'poll' })).outcome).toBe('ok');
  });

  it('renews its lock during a long run, and stops between pages if the lock is lost', async () => {
    const loaded = config({ jobs: { lockTtlSeconds: 1 } });
    const base = new SqliteStore(':memory:');
    // A slow run outlives the 1 s lock: renewals (every 333 ms) keep it held.
    boxes.zendesk.http.faults.set({ latencyMs: 1500 });
    const clients = new VendorClients(loaded.connections, loaded.config, silent);
    const kept = await runJob({ loaded, store: base, clients, logger: silent }, { job: 'poll', vendor: 'zendesk' });
    expect(kept.outcome).toBe('ok');
    // Now the store answers every renewal with "someone else holds it".
    let calls = 0;
    const losing = new Proxy(base, {
      get(target, prop, receiver) {
        if (prop === 'acquireLock') return async (...args: Parameters<Store['acquireLock']>) => (calls++ === 0 ? target.acquireLock(...args) : false);
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const lost = await runJob({ loaded, store: losing, clients, logger: silent }, { job: 'poll', vendor: 'zendesk' });
    expect(lost.outcome).toBe('failed');
    expect(lost.error).toMatch(/lock was lost/);
  });

  it('reports a failing connection, still polls the others, and keeps that cursor for the next run', async () => {
    const rig = jobsRig(config());
    await rig.run({ job: 'poll' });
    const before = await rig.store.getCursor('poll:zendesk:default');
    boxes.zendesk.http.faults.set({ serverErrorNext: 50 });
    const failed = await rig.run({ job: 'poll' });
    expect(failed.outcome).toBe('failed');
    expect(failed.summary.errors).toBe(1);
    expect(failed.error).toMatch(/^zendesk\/default: zendesk incrementalTickets .* 503/);
    expect(failed.connections.filter((c) => c.error === null).map((c) => c.vendor).sort()).toEqual(['freshdesk', 'jira']);
    expect(await rig.store.getCursor('poll:zendesk:default')).toBe(before);
    expect((await rig.store.lastJobRuns()).find((r) => r.job === 'poll')).toMatchObject({ outcome: 'failed', summary: { errors: 1 } });
    boxes.zendesk.http.faults.clear();
    expect((await rig.run({ job: 'poll' })).outcome).toBe('ok');
  });

  it('runs on its cron schedule: a failing tick is logged and the next tick runs again', async () => {
    const loaded = config({ schedules: { consultSweep: '*/15 * * * *', poll: '* * * * * *', reconcile: '0 0 29 2 *' } });
    const store = new SqliteStore(':memory:');
    const clients = new VendorClients(loaded.connections, loaded.config, silent);
    const log = new PassThrough();
    let logged = '';
    log.on('data', (chunk: Buffer) => (logged += chunk.toString()));
    const logger = createLogger({ level: 'info', format: 'json', stream: log });
    boxes.zendesk.http.faults.set({ serverErrorNext: 1000 });
    let woken = 0;
    const tasks = scheduleSyncJobs({ loaded, store, clients, logger, onEnqueued: () => (woken += 1) });
    const outcomes: string[] = [];
    const deadline = Date.now() + 8000;
    while (Date.now() < deadline && !(outcomes.includes('failed') && outcomes.at(-1) === 'ok')) {
      await new Promise((r) => setTimeout(r, 100));
      const run = (await store.lastJobRuns()).find((r) => r.job === 'poll');
      if (run && run.outcome !== 'running' && outcomes.at(-1) !== `${run.outcome}`) outcomes.push(run.outcome);
      if (outcomes.includes('failed')) boxes.zendesk.http.faults.clear();
    }
    await Promise.all(tasks.map((t) => t.stop()));
    expect(outcomes[0]).toBe('failed');
    expect(outcomes.at(-1)).toBe('ok');
    expect(logged).toMatch(/"message":"poll failed"/);
    // The seeded tickets were queued by a tick, and each such page woke the worker.
    expect(woken).toBeGreaterThan(0);
    await store.close();
  });
});
