import { eventsOf, jobsConfig, jobsRig, link } from './rig';

/** M6 reconcile: one `reconcile.pair` event per linked pair; the mirror handler does the comparing. */
describe('M6 reconcile', () => {
  it('queues every linked pair on its ticket, once per run', async () => {
    const rig = jobsRig(jobsConfig());
    await link(rig.store, { vendor: 'zendesk', connectionId: 'default', id: '5158' }, { id: '10002', key: 'SUP-311' });
    await link(rig.store, { vendor: 'freshdesk', connectionId: 'default', id: '4821' }, { id: '10007', key: 'SUP-316' });
    // A link still being created (J1) has no issue yet: nothing to compare.
    await rig.store.reserveLink({ vendor: 'zendesk', connectionId: 'default', id: '5159' }, 'default', new Date());
    // A pair on a connection this instance has no credentials for is left out, and said so.
    await link(rig.store, { vendor: 'zendesk', connectionId: 'partner-b', id: '77' }, { id: '10011', key: 'SUP-320' });

    const first = await rig.run({ job: 'reconcile' });

    expect(first).toMatchObject({ outcome: 'ok', summary: { seen: 2, enqueued: 2, errors: 0, pairs: 2 } });
    expect(first.notes).toEqual(['1 linked pair(s) left out: their helpdesk or Jira connection is not enabled']);
    const [zd] = await eventsOf(rig.store, 'zendesk');
    expect(zd).toMatchObject({
      entityKey: 'ticket:5158',
      eventType: 'reconcile.pair',
      source: 'poll',
      dedupeKey: `reconcile:${first.runId}:zendesk:default:5158`,
      payload: { reconcile: { issueId: '10002', issueKey: 'SUP-311', runId: first.runId } },
    });
    const [fd] = await eventsOf(rig.store, 'freshdesk');
    expect(fd).toMatchObject({ entityKey: 'ticket:4821', payload: { reconcile: { issueKey: 'SUP-316' } } });

    const second = await rig.run({ job: 'reconcile' });
    expect(second.summary.pairs).toBe(2);
    expect(await eventsOf(rig.store, 'zendesk')).toHaveLength(2);

    const onlyFreshdesk = await rig.run({ job: 'reconcile', vendor: 'freshdesk' });
    expect(onlyFreshdesk.connections.map((c) => `${c.vendor}/${c.connectionId}`)).toEqual(['freshdesk/default']);
  });
});
