import type { SlaState } from '../../../src/domain/sla';
import { parseGoal } from '../../../src/sla/duration';
import { eventsOf, jobsConfig, jobsRig } from './rig';

const T0 = new Date('2026-12-04T09:00:00Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

function state(dueAt: Date): SlaState {
  return {
    history: { createdAt: T0.toISOString(), statuses: [{ at: T0.toISOString(), status: 'open' }], firstResponseAt: null, priority: 'urgent', basis: 'observed' },
    trackedSince: T0.toISOString(),
    targets: [{ target: 'first_response', source: 'ours', goal: parseGoal('1h'), stage: 'running', elapsedMs: 0, remainingMs: 3_600_000, dueAt: dueAt.toISOString(), breachedAt: null, metAt: null }],
    computedAt: T0.toISOString(),
    calendar: null,
    escalations: [],
    fix: null,
  };
}

/** S2/S3's job only queues; the worker's SLA handler decides (see test/e2e/sla.test.ts). */
describe('the sla job', () => {
  it('queues a sweep.sla event for each ticket whose due time has come, once per due time', async () => {
    let now = minutes(30);
    const rig = jobsRig(jobsConfig(), { now: () => now });
    const due = { vendor: 'zendesk' as const, connectionId: 'default', id: '5158' };
    const later = { vendor: 'freshdesk' as const, connectionId: 'default', id: '4821' };
    await rig.store.saveSla({ ticket: due, state: state(minutes(60)), open: true, nextCheckAt: minutes(60), updatedAt: T0 });
    await rig.store.saveSla({ ticket: later, state: state(minutes(240)), open: true, nextCheckAt: minutes(240), updatedAt: T0 });

    expect((await rig.run({ job: 'sla' })).summary).toMatchObject({ seen: 0, enqueued: 0, due: 0 });
    now = minutes(61);
    const first = await rig.run({ job: 'sla' });
    expect(first).toMatchObject({ outcome: 'ok', summary: { seen: 1, enqueued: 1, due: 1, errors: 0 } });
    expect(await eventsOf(rig.store, 'zendesk')).toEqual([
      expect.objectContaining({ entityKey: 'ticket:5158', eventType: 'sweep.sla', source: 'poll', dedupeKey: `sla:due:zendesk:default:5158:${minutes(60).toISOString()}` }),
    ]);
    // The second run (or a second process) finds the same due time: nothing new is queued.
    const second = await rig.run({ job: 'sla' });
    expect(second.summary).toMatchObject({ seen: 1, enqueued: 0 });
    expect(await eventsOf(rig.store, 'zendesk')).toHaveLength(1);
    expect(await eventsOf(rig.store, 'freshdesk')).toHaveLength(0);
  });

  it('gives tickets known from before SLA tracking a first look, on the backfill lane', async () => {
    const rig = jobsRig(jobsConfig(), { now: () => T0 });
    for (const id of ['101', '102']) {
      await rig.store.saveSnapshot({ ref: { vendor: 'freshdesk', connectionId: 'default', id }, data: { id }, vendorUpdatedAt: T0.toISOString(), savedAt: T0, deleted: false });
    }
    await rig.store.saveSnapshot({ ref: { vendor: 'freshdesk', connectionId: 'default', id: '103' }, data: null, vendorUpdatedAt: null, savedAt: T0, deleted: true });
    await rig.store.saveSla({ ticket: { vendor: 'freshdesk', connectionId: 'default', id: '102' }, state: state(minutes(60)), open: true, nextCheckAt: minutes(60), updatedAt: T0 });

    const run = await rig.run({ job: 'sla' });
    expect(run.summary).toMatchObject({ learnt: 1, enqueued: 1 });
    expect(run.notes).toEqual(['1 ticket(s) known from before SLA tracking queued for a first look']);
    expect(await eventsOf(rig.store, 'freshdesk')).toEqual([expect.objectContaining({ entityKey: 'ticket:101', eventType: 'sweep.sla', source: 'backfill' })]);
    expect((await rig.run({ job: 'sla' })).summary.enqueued).toBe(0);
  });

  it('does nothing with sla.enabled false, and says so', async () => {
    const rig = jobsRig(jobsConfig({}, { sla: { enabled: false } }), { now: () => minutes(500) });
    await rig.store.saveSla({ ticket: { vendor: 'zendesk', connectionId: 'default', id: '5158' }, state: state(minutes(60)), open: true, nextCheckAt: minutes(60), updatedAt: T0 });
    const run = await rig.run({ job: 'sla' });
    expect(run).toMatchObject({ outcome: 'ok', notes: ['sla.enabled is false: nothing looked at'] });
    expect(await eventsOf(rig.store, 'zendesk')).toHaveLength(0);
  });
});
