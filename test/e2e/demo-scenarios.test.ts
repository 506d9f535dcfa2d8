import { configFile, settled } from './stack';
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
      const failed = run.outcomes
        .filter((o) => !o.passed)
        .map((o) => `${o.id}: ${JSON.stringify([...o.steps.filter((s) => s.error || s.checks.some((c) => !c.result.ok)), ...o.end.filter((c) => !c.result.ok)])}`);
      expect(failed).toEqual([]);
      expect(run.outcomes.map((o) => o.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
      // One scenario per vendor at least: Zendesk and Jira through the mirror (a), Freshdesk (b, d), Zendesk (c, e).
      // The echoes of the last writes may still be in the inbox (finished unread, but counted).
      await settled(run);
      const { sandboxes } = run;
      const writes = (vendor: 'freshdesk' | 'zendesk' | 'jira') => {
        const out: Record<string, number> = {};
        for (const c of sandboxes[vendor].http.calls.all()) {
          if (c.actor !== INTEGRATION_ACTORS[vendor] || c.method === 'GET' || c.status >= 300) continue;
          out[`${c.method} ${c.endpoint}`] = (out[`${c.method} ${c.endpoint}`] ?? 0) + 1;
        }
        return out;
      };
      const plus = (...parts: Array<Record<string, number>>) => {
        const out: Record<string, number> = {};
        for (const part of parts) for (const [k, n] of Object.entries(part)) out[k] = (out[k] ?? 0) + n;
        return out;
      };
      // (a) through the mirror, each write once: its bug raised and linked (J1, J4); M3: Dana's
      // two replies and Maria's two emails after the link (the earlier notes are in the
      // description); M4: one transition back to work in progress, its comment carried with it.
      // On the ticket: the J4 note with its key tag; five M1 notes (three comments, two carried by
      // transitions); four M2 notes (Work in progress, Completed twice, Closed); Work in
      // progress's mapped status (hold to open). The first Completed's return to the owner writes
      // nothing: read before the write, the ticket is already open with Dana, its owner.
      const ofA = {
        jira: { 'POST /rest/api/3/issue': 1, 'POST /rest/api/3/issue/:idOrKey/remotelink': 1, 'POST /rest/api/3/issue/:idOrKey/comment': 4, 'POST /rest/api/3/issue/:idOrKey/transitions': 1 },
        zendesk: { 'PUT /api/v2/tickets/:id.json': 1 + 5 + 4 + 1 },
      };
      // Every write helpdesk-sync made, each exactly once: one issue per scenario, each linked
      // both ways (b: a complete bug; c: a needs-info bug, completed later: J5's follow-up
      // comment; d: a customer request, J3; e: a needs-info bug that stays so, J5); in (c) the
      // two comments Dana made after the link (M3; Li's public reply came before it and is in
      // the description); in (d) Zac's private note after the link (M3); nothing else (no echo
      // loops).
      expect(writes('jira')).toEqual(
        plus(ofA.jira, {
          'POST /rest/api/3/issue': 4,
          'POST /rest/api/3/issue/:idOrKey/remotelink': 4,
          'POST /rest/api/3/issue/:idOrKey/comment': 1 + 2 + 1,
          'PUT /rest/api/3/issue/:idOrKey': 1,
        }),
      );
      // Freshdesk: the J4 note and its key tag, (b) and (d); E3's return to the owner,
      // review-done removed and its note (d). Zendesk: the J4/J5 note with its tag in one PUT
      // (c); H3's note on Li's public reply; H2's cleared assignee and its note; E5's
      // knowledge-gap note.
      expect(writes('freshdesk')).toEqual({ 'POST /api/v2/tickets/:id/notes': 2 + 1, 'PUT /api/v2/tickets/:id': 2 + 2 });
      // (e): the J4/J5 note with its tag in one PUT; S2's note, then its move to the manager
      // group, and the tag by the tags endpoint.
      expect(writes('zendesk')).toEqual(plus(ofA.zendesk, { 'PUT /api/v2/tickets/:id.json': 5 + 3, 'PUT /api/v2/tickets/:id/tags.json': 1 }));
      const counts = await run.service.store.inboxCounts();
      expect(counts).toMatchObject({ pending: 0, processing: 0, dead: 0 });
      expect(counts.done).toBeGreaterThanOrEqual(29);
      const text = lines.join('\n');
      expect(text).toContain('5/5 reached their expected end state');
      // Every rule the scenarios show is built: nothing waits.
      expect(text).not.toMatch(/waits for/);
      expect(text).toMatch(/Freshdesk +\d+ calls: \d+ by helpdesk-sync/);
    } finally {
      await run.stop();
    }
  }, 60_000);
});
