import { knowledgeGaps } from '../../src/cli/knowledge-gaps';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';

describe('knowledge-gap list (E5)', () => {
  it('lists tickets whose latest E5 decision is a violation; a later ok clears one', async () => {
    const store = new SqliteStore(':memory:');
    const t = (m: number) => new Date(Date.UTC(2025, 0, 8, 10, m));
    const zd = (id: string) => ({ vendor: 'zendesk' as const, connectionId: 'default', id });
    const e5 = (id: string, verdict: 'violation' | 'ok', m: number, summary: string) =>
      store.recordDecision({ ticket: zd(id), ruleId: 'E5', verdict, actorId: null, at: t(m), summary, actions: [], eventId: null });
    await e5('5152', 'violation', 1, 'E5: knowledge gap: resolved without root cause');
    await e5('5153', 'violation', 2, 'E5: knowledge gap: resolved without outcome');
    await e5('5153', 'ok', 3, 'E5: outcome, root cause and missing documentation captured');
    await store.recordDecision({ ticket: zd('5154'), ruleId: 'H2', verdict: 'violation', actorId: null, at: t(4), summary: 'not E5', actions: [], eventId: null });

    expect(await knowledgeGaps(store)).toEqual([
      { vendor: 'zendesk', connectionId: 'default', ticketId: '5152', at: '2025-01-08T10:01:00.000Z', summary: 'E5: knowledge gap: resolved without root cause' },
    ]);
    await store.close();
  });
});
