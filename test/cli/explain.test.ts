import { explainTicket } from '../../src/cli/explain';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';

describe('helpdesk-sync explain', () => {
  it('tells the owner, the handoff trail and every decision with its rule, oldest first', async () => {
    const store = new SqliteStore(':memory:');
    const ref = { vendor: 'zendesk' as const, connectionId: 'default', id: '5152' };
    const t = (m: number) => new Date(Date.UTC(2025, 0, 8, 10, m));
    await store.setOwner({ ticket: ref, ownerId: '8447388090495', ownerGroupId: '8447320466001', since: t(2), claimedAt: t(2) });
    await store.appendHandoff({ ticket: ref, at: t(10), actorId: '8447388090495', direction: 'escalate', fromGroupId: '8447320466001', toGroupId: '8447320466430', fromAssigneeId: '8447388090495', toAssigneeId: null, commentId: '9001' });
    await store.appendHandoff({ ticket: ref, at: t(20), actorId: '8447388090601', direction: 'handback', fromGroupId: '8447320466430', toGroupId: '8447320466001', fromAssigneeId: '8447388090601', toAssigneeId: '8447388090495', commentId: '9003' });
    await store.recordDecision({ ticket: ref, ruleId: 'H2', verdict: 'corrected', actorId: '8447388090495', at: t(10), summary: 'Escalated to a person; assignee cleared', actions: [{ kind: 'clearAssignee', idempotencyKey: 'k' }], eventId: 3 });
    await store.recordDecision({ ticket: ref, ruleId: 'H4', verdict: 'ok', actorId: '8447388090601', at: t(20), summary: 'Handed back to the owner', actions: [], eventId: 5 });
    await store.reserveLink(ref, 'default', t(21));
    await store.completeLink(ref, { issueId: '10023', issueKey: 'SUP-23', kind: 'bug', missing: ['impact'] }, t(21));

    const lines = await explainTicket(store, 'zendesk', 'default', '5152');
    expect(lines).toEqual([
      'zendesk ticket 5152 (connection default)',
      'Owner (E1): agent 8447388090495 of group 8447320466001, since 2025-01-08 10:02 UTC, claimed 2025-01-08 10:02 UTC',
      'Jira (J1/J4): SUP-23, still missing impact (J5)',
      '',
      'Handoff trail (H5): 2 handoff(s)',
      '  2025-01-08 10:10 UTC  escalated from 8447388090495 to group 8447320466430 by 8447388090495 (with comment 9001)',
      '  2025-01-08 10:20 UTC  handed back from 8447388090601 to agent 8447388090495 by 8447388090601 (with comment 9003)',
      '',
      'Decisions: 2',
      '  2025-01-08 10:10 UTC  H2  CORRECTED: Escalated to a person; assignee cleared (about 8447388090495)  [actions: clearAssignee]',
      '  2025-01-08 10:20 UTC  H4  ok: Handed back to the owner (about 8447388090601)',
    ]);
    await store.close();
  });

  it('says plainly when nothing is recorded', async () => {
    const store = new SqliteStore(':memory:');
    const lines = await explainTicket(store, 'freshdesk', 'default', '1');
    expect(lines.slice(1, 3)).toEqual(['Owner (E1): none recorded yet', 'Jira (J1/J4): no linked issue']);
    await store.close();
  });
});
