import { configFile } from './stack';
import { runDemo } from '../../src/sandbox/demo/run-demo';
import { INTEGRATION_ACTORS } from '../../src/sandbox/world';

/**
 * The demo, as `npm run demo -- --once` runs it: sandboxes and the real server over loopback,
 * every scenario played through the vendors' APIs and checked against the sandboxes' state.
 */
describe('the demo scenarios end to end', () => {
  it('every scenario reaches its expected end state; pending steps name their rules', async () => {
    const lines: string[] = [];
    const run = await runDemo({ once: true, port: 0, write: (l) => lines.push(l), env: { CONFIG_FILE: configFile() } });
    try {
      const failed = run.outcomes.filter((o) => !o.passed).map((o) => `${o.id}: ${JSON.stringify(o.steps.filter((s) => s.error || s.checks.some((c) => !c.result.ok)))}`);
      expect(failed).toEqual([]);
      expect(run.outcomes.map((o) => o.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
      // One scenario per vendor at least: Jira (a), Freshdesk (b, d), Zendesk (c, e).
      const { sandboxes } = run;
      for (const vendor of ['freshdesk', 'zendesk', 'jira'] as const) {
        const ours = sandboxes[vendor].http.calls.all().filter((c) => c.actor === INTEGRATION_ACTORS[vendor]);
        expect(ours.length).toBeGreaterThan(0);
        // helpdesk-sync only reads so far: writes come with the composer and the policy engine.
        expect(ours.filter((c) => c.method !== 'GET')).toEqual([]);
      }
      const counts = await run.service.store.inboxCounts();
      expect(counts).toMatchObject({ pending: 0, processing: 0, dead: 0 });
      expect(counts.done).toBeGreaterThanOrEqual(29);
      const text = lines.join('\n');
      expect(text).toContain('5/5 reached their expected end state');
      expect(text).toMatch(/J1 J2 J3 J4 +waits for issue 5/);
      expect(text).toMatch(/S1 S2 +waits for SLA sweeps/);
      expect(text).toMatch(/Freshdesk +\d+ calls: \d+ by helpdesk-sync/);
    } finally {
      await run.stop();
    }
  }, 60_000);
});
