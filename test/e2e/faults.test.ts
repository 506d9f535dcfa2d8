import { runDemo } from '../../src/sandbox/demo/run-demo';
import { INTEGRATION_ACTORS } from '../../src/sandbox/world';
import { configFile, settled } from './stack';

/**
 * The vendors misbehave the way they do in production: bursts of 429 with Retry-After, bursts
 * of 5xx, webhooks delivered twice. The scenarios must still end right, with every change
 * processed once and nothing left in the inbox or the dead letters.
 */
describe('fault run: 429s, 5xx bursts and redelivered webhooks', () => {
  it('loses nothing and duplicates nothing', async () => {
    const run = await runDemo({
      once: true,
      port: 0,
      only: ['a', 'b', 'c'],
      write: () => undefined,
      env: { CONFIG_FILE: configFile() },
      beforeScenarios: (s) => {
        for (const box of [s.freshdesk, s.zendesk, s.jira]) {
          // Every 5th call rate-limited (Retry-After honoured), every 7th a 503, 4 webhooks sent twice.
          box.http.faults.set({ rateLimitEvery: 5, retryAfterSeconds: 0, serverErrorEvery: 7, serverErrorStatus: 503, duplicateWebhooksNext: 4 });
        }
      },
    });
    try {
      await settled(run);
      const failures = run.outcomes.flatMap((o) =>
        o.steps.flatMap((st) => [...(st.error ? [`${o.id}/${st.step}: ${st.error}`] : []), ...st.checks.filter((c) => !c.result.ok).map((c) => `${o.id}/${st.step}: ${c.what}: ${c.result.ok ? '' : c.result.detail}`)]),
      );
      expect(failures).toEqual([]);
      expect(run.outcomes.map((o) => [o.id, o.passed])).toEqual([
        ['a', true],
        ['b', true],
        ['c', true],
      ]);
      const { sandboxes, service } = run;
      let uniqueDeliveries = 0;
      const faultStatuses = new Set<number>();
      for (const vendor of ['freshdesk', 'zendesk', 'jira'] as const) {
        const box = sandboxes[vendor];
        // The faults really hit helpdesk-sync's own calls at every vendor...
        const ours = box.http.calls.all().filter((c) => c.actor === INTEGRATION_ACTORS[vendor]);
        const faulted = ours.filter((c) => c.status === 429 || c.status === 503);
        expect(faulted.length).toBeGreaterThan(0);
        faulted.forEach((c) => faultStatuses.add(c.status));
        // ...and webhooks were redelivered.
        expect(box.http.faults.stats.duplicatedWebhooks).toBe(4);
        expect(box.webhooks.deliveries.filter((d) => d.status === null || d.status >= 300).map((d) => `${vendor} ${d.eventType} ${d.entity} ${d.status ?? 'no answer'}${d.dropped ? ' dropped' : ''}`)).toEqual([]);
        uniqueDeliveries += box.webhooks.deliveries.filter((d) => !d.dropped).length;
      }
      expect([...faultStatuses].sort()).toEqual([429, 503]);
      // Nothing lost, nothing twice: one inbox event per distinct delivery, all processed.
      const counts = await service.store.inboxCounts();
      // Events of our own making (S3's look at a bug whose status moved) come on top.
      const ours = (await service.store.listEvents({ limit: 100_000 })).filter((e) => e.source !== 'webhook').length;
      expect(counts).toEqual({ pending: 0, processing: 0, done: uniqueDeliveries + ours, dead: 0 });
      expect(await service.store.listDeadLetters()).toEqual([]);
    } finally {
      await run.stop();
    }
  }, 90_000);
});
