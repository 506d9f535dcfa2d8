import type { Ticket } from '../../src/domain/ticket';
import { countRoundTrips } from '../../src/policy/handoff';
import type { RuleMode } from '../../src/policy/types';
import type { Handoff } from '../../src/store/types';
import { comment, decisionsOf, fdTicket, fd, handoff, kinds, minutesAfter, only, owner, run, settings, T0, ZD, zd, zdTicket } from './fixtures';

const T1 = minutesAfter(T0, 30);
const T2 = minutesAfter(T0, 90);

/** Dana's ticket at Tier 1; `change` is what Dana does at T2. */
function danaEscalates(change: (t: Ticket) => Partial<Ticket>, opts: { mode?: Partial<Record<string, RuleMode>>; handoffs?: Handoff[] } = {}) {
  const before = zdTicket({ assigneeId: zd.dana.id, updatedAt: T1 });
  const after = { ...before, ...change(before), updatedAt: T2 };
  return run(after, {
    previous: before,
    actorId: zd.dana.id,
    settings: settings({ modes: opts.mode ?? {} }),
    history: { owner: owner(before, zd.dana, ZD.tier1), handoffs: opts.handoffs ?? [] },
  });
}
const context = (at = minutesAfter(T1, 10)) => comment(zd.dana, at, 'Checked the meter feed and the KB; the gateway shows online. Need MEI to check the import job.');

describe('H1 context first', () => {
  const cases: Array<{ name: string; change: (t: Ticket) => Partial<Ticket>; verdict: string; actions: string[] }> = [
    { name: 'a private comment before escalating is allowed', change: (t) => ({ groupId: ZD.tier2, assigneeId: null, comments: [...t.comments, context()] }), verdict: 'ok', actions: [] },
    { name: 'escalating without one is a violation with a note asking for it', change: () => ({ groupId: ZD.tier2, assigneeId: null }), verdict: 'violation', actions: ['privateNote'] },
    {
      name: 'a public reply does not count as context',
      change: (t) => ({ groupId: ZD.tier2, assigneeId: null, comments: [...t.comments, comment(zd.dana, minutesAfter(T1, 10), 'We are looking into it.', true)] }),
      verdict: 'violation',
      actions: ['privateNote'],
    },
  ];
  it.each(cases)('H1: $name', ({ change, verdict, actions }) => {
    const d = only(danaEscalates(change), 'H1');
    expect(d.verdict).toBe(verdict);
    expect(kinds(d.actions)).toEqual(actions);
  });

  it('H1: a comment older than the last handoff does not count', () => {
    const trail = [handoff(zdTicket(), { at: minutesAfter(T1, 20), direction: 'handback', fromGroupId: ZD.tier2, toGroupId: ZD.tier1, fromAssigneeId: zd.li.id, toAssigneeId: zd.dana.id })];
    const d = only(danaEscalates((t) => ({ groupId: ZD.tier2, assigneeId: null, comments: [...t.comments, context()] }), { handoffs: trail }), 'H1');
    expect(d.verdict).toBe('violation');
  });

  it('H1: does not apply on Freshdesk (no Tier 2 group configured)', () => {
    const before = fdTicket({ assigneeId: fd.sam.id });
    const result = run({ ...before, groupId: '43000612002', assigneeId: null, updatedAt: T1 }, { previous: before, history: { owner: owner(before, fd.sam, '43000612001') } });
    expect(decisionsOf(result, 'H1')).toHaveLength(0);
  });
});

describe('H2 group only', () => {
  const cases: Array<{ name: string; mode: RuleMode; assignee: string | null; verdict: string | null; actions: string[] }> = [
    { name: 'the Tier 2 group alone is allowed', mode: 'enforce', assignee: null, verdict: null, actions: [] },
    { name: 'group plus a Tier 2 assignee: assignee cleared (enforce)', mode: 'enforce', assignee: zd.li.id, verdict: 'corrected', actions: ['clearAssignee', 'privateNote'] },
    { name: 'group plus a Tier 2 assignee: noted (warn)', mode: 'warn', assignee: zd.li.id, verdict: 'violation', actions: ['privateNote'] },
  ];
  it.each(cases)('H2: $name', ({ mode, assignee, verdict, actions }) => {
    const found = decisionsOf(danaEscalates((t) => ({ groupId: ZD.tier2, assigneeId: assignee, comments: [...t.comments, context()] }), { mode: { H2: mode } }), 'H2');
    expect(found).toHaveLength(verdict === null ? 0 : 1);
    expect(found[0]?.verdict ?? null).toBe(verdict);
    expect(kinds(found[0]?.actions ?? [])).toEqual(actions);
  });

  it('H2: the note says why, in words an agent knows', () => {
    const d = only(danaEscalates((t) => ({ groupId: ZD.tier2, assigneeId: zd.li.id, comments: [...t.comments, context()] })), 'H2');
    const html = d.actions[1]?.kind === 'privateNote' ? d.actions[1].html : '';
    expect(html).toContain('Escalations to Tier 2 go to the group, not a person, so any Tier 2 agent can pick this up. Assignee cleared.');
  });

  it('H2: a Tier 2 agent pulling the ticket (step b of the handoff) is allowed', () => {
    const escalated = zdTicket({ groupId: ZD.tier2, assigneeId: null, updatedAt: T1 });
    const trail = [handoff(escalated, { at: T1, direction: 'escalate', fromGroupId: ZD.tier1, toGroupId: ZD.tier2, fromAssigneeId: zd.dana.id, toAssigneeId: null })];
    const result = run({ ...escalated, assigneeId: zd.li.id, updatedAt: T2 }, { previous: escalated, actorId: zd.li.id, history: { owner: owner(escalated, zd.dana, ZD.tier1), handoffs: trail } });
    // Only the once-per-ticket triage checks speak (no T decision was recorded yet).
    expect(result.decisions.filter((d) => !d.ruleId.startsWith('T'))).toEqual([]);
    expect(result.handoffs).toEqual([]);
  });
});

describe('H3 Tier 2 speaks privately', () => {
  function tier2Writes(author: typeof zd.li, isPublic: boolean) {
    const before = zdTicket({ groupId: ZD.tier2, assigneeId: zd.li.id, updatedAt: T1 });
    const after = { ...before, comments: [...before.comments, comment(author, T2, 'The import job failed on Monday; rerun scheduled.', isPublic)], updatedAt: T2 };
    return run(after, { previous: before, actorId: author.id, history: { owner: owner(before, zd.dana, ZD.tier1) } });
  }
  const cases: Array<{ name: string; author: typeof zd.li; isPublic: boolean; verdict: string | null }> = [
    { name: 'a private comment by Tier 2 is allowed', author: zd.li, isPublic: false, verdict: null },
    { name: 'a public comment by Tier 2 is a violation reported to the owner', author: zd.li, isPublic: true, verdict: 'violation' },
    { name: 'a public comment by another Tier 2 agent is a violation too', author: zd.maya, isPublic: true, verdict: 'violation' },
    { name: 'the owner replying publicly is not H3', author: zd.dana, isPublic: true, verdict: null },
  ];
  it.each(cases)('H3: $name', ({ author, isPublic, verdict }) => {
    const result = tier2Writes(author, isPublic);
    const found = decisionsOf(result, 'H3');
    expect(found).toHaveLength(verdict === null ? 0 : 1);
    if (verdict) {
      expect(found[0]?.verdict).toBe(verdict);
      const html = found[0]?.actions[0]?.kind === 'privateNote' ? found[0].actions[0].html : '';
      expect(html).toContain('Dana Fox keeps the requester contact');
      // E4 does not report the same reply twice.
      expect(decisionsOf(result, 'E4')).toHaveLength(0);
    }
  });

  it('H3: a Tier 2 agent is recognised from the ticket even without the directory', () => {
    const before = zdTicket({ groupId: ZD.tier2, assigneeId: zd.li.id, updatedAt: T1 });
    const after = { ...before, comments: [...before.comments, comment(zd.li, T2, 'Rerun scheduled.', true)], updatedAt: T2 };
    const result = run(after, { previous: before, directory: null, history: { owner: owner(before, zd.dana, ZD.tier1) } });
    expect(only(result, 'H3').verdict).toBe('violation');
  });
});

describe('H4 handback to the owner', () => {
  function handBack(to: { groupId: string; assigneeId: string | null }, mode: RuleMode = 'enforce') {
    const before = zdTicket({ groupId: ZD.tier2, assigneeId: zd.li.id, updatedAt: T1 });
    return run({ ...before, ...to, updatedAt: T2 }, {
      previous: before,
      actorId: zd.li.id,
      settings: settings({ modes: { H4: mode } }),
      history: { owner: owner(before, zd.dana, ZD.tier1) },
    });
  }
  const cases: Array<{ name: string; to: { groupId: string; assigneeId: string | null }; mode: RuleMode; verdict: string; actions: string[] }> = [
    { name: 'back to the owner is allowed', to: { groupId: ZD.tier1, assigneeId: zd.dana.id }, mode: 'enforce', verdict: 'ok', actions: [] },
    { name: 'back to another Tier 1 agent is set to the owner (enforce)', to: { groupId: ZD.tier1, assigneeId: zd.omar.id }, mode: 'enforce', verdict: 'corrected', actions: ['reassign', 'privateNote'] },
    { name: 'back to the Tier 1 group alone is set to the owner (enforce)', to: { groupId: ZD.tier1, assigneeId: null }, mode: 'enforce', verdict: 'corrected', actions: ['reassign', 'privateNote'] },
    { name: 'back to another Tier 1 agent is noted (warn)', to: { groupId: ZD.tier1, assigneeId: zd.omar.id }, mode: 'warn', verdict: 'violation', actions: ['privateNote'] },
  ];
  it.each(cases)('H4: $name', ({ to, mode, verdict, actions }) => {
    const d = only(handBack(to, mode), 'H4');
    expect(d.verdict).toBe(verdict);
    expect(kinds(d.actions)).toEqual(actions);
    if (verdict === 'corrected') expect(d.actions[0]).toMatchObject({ kind: 'reassign', groupId: ZD.tier1, assigneeId: zd.dana.id });
  });
});

describe('H5 trail', () => {
  it('H5: each handoff is kept with who, when, direction and the comment, and round trips counted', () => {
    const note = context();
    const result = danaEscalates((t) => ({ groupId: ZD.tier2, assigneeId: null, comments: [...t.comments, note] }));
    expect(result.handoffs).toEqual([
      expect.objectContaining({ direction: 'escalate', actorId: zd.dana.id, at: new Date(T2), fromGroupId: ZD.tier1, toGroupId: ZD.tier2, fromAssigneeId: zd.dana.id, toAssigneeId: null, commentId: note.id }),
    ]);
    expect(only(result, 'H5').summary).toBe(`H5: escalate by Dana Fox from Aegent Client Support (Dana Fox) to Aegent Tier 2 Support, with comment ${note.id}; round trips so far: 0`);
  });

  it('H5: a retried event does not append the same handoff twice', () => {
    const change = (t: Ticket) => ({ groupId: ZD.tier2, assigneeId: null, comments: [...t.comments, context()] });
    const first = danaEscalates(change);
    const again = danaEscalates(change, { handoffs: first.handoffs });
    expect(again.handoffs).toEqual([]);
  });

  it('H5: round trips count the handbacks', () => {
    const t = zdTicket();
    const h = (direction: Handoff['direction']) => handoff(t, { at: T0, direction, fromGroupId: null, toGroupId: null, fromAssigneeId: null, toAssigneeId: null });
    expect(countRoundTrips([h('escalate'), h('handback'), h('escalate'), h('handback'), h('escalate')])).toBe(2);
  });
});

describe('H6 claim', () => {
  it('H6: the first Tier 1 member to take the unassigned ticket becomes owner, with time to claim', () => {
    const before = zdTicket();
    const claimAt = minutesAfter(T0, 12);
    const result = run({ ...before, assigneeId: zd.omar.id, updatedAt: claimAt }, { previous: before, actorId: zd.omar.id });
    expect(result.ownerUpdate).toMatchObject({ ownerId: zd.omar.id, ownerGroupId: ZD.tier1, claimedAt: new Date(claimAt) });
    expect(only(result, 'H6')).toMatchObject({ verdict: 'info', summary: 'H6: Omar Haddad claimed the unassigned ticket 12 minutes after it was created (first response)' });
  });

  it('H6: a later Tier 1 member does not take ownership from the claimant by pulling', () => {
    const before = zdTicket({ assigneeId: zd.omar.id });
    const result = run({ ...before, groupId: ZD.tier2, assigneeId: null, updatedAt: T1 }, { previous: before, actorId: zd.omar.id, history: { owner: owner(before, zd.omar, ZD.tier1) } });
    expect(result.ownerUpdate).toBeNull();
    expect(decisionsOf(result, 'H6')).toHaveLength(0);
  });

  it('H6: off leaves the owner to E1 without claim data', () => {
    const before = zdTicket();
    const result = run({ ...before, assigneeId: zd.omar.id, updatedAt: T1 }, { previous: before, settings: settings({ modes: { H6: 'off' } }) });
    expect(result.ownerUpdate?.ownerId).toBe(zd.omar.id);
    expect(decisionsOf(result, 'H6')).toHaveLength(0);
  });
});
