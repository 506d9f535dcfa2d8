import type { Ticket } from '../../src/domain/ticket';
import { knowledgeInText } from '../../src/policy/knowledge';
import type { RuleMode } from '../../src/policy/types';
import type { Handoff } from '../../src/store/types';
import { comment, decisionsOf, FD, fd, fdTicket, handoff, kinds, minutesAfter, only, owner, run, settings, T0, ZD, zd, zdTicket } from './fixtures';

const T1 = minutesAfter(T0, 30);
const T2 = minutesAfter(T0, 90);

describe('E1 owner', () => {
  it('E1: the CS agent a new ticket is assigned to is recorded as owner', () => {
    const result = run(fdTicket({ assigneeId: fd.sam.id }));
    expect(result.ownerUpdate).toMatchObject({ ownerId: fd.sam.id, ownerGroupId: FD.clientSuccess, claimedAt: null });
    expect(only(result, 'E1')).toMatchObject({ verdict: 'info', summary: 'E1: Sam Ortiz holds the ticket first and is recorded as its owner' });
  });

  it('E1: taking an unassigned ticket records the owner with the claim time', () => {
    const before = fdTicket();
    const result = run(fdTicket({ assigneeId: fd.sam.id, updatedAt: T1 }), { previous: before, actorId: fd.sam.id });
    expect(result.ownerUpdate).toMatchObject({ ownerId: fd.sam.id, claimedAt: new Date(T1) });
  });

  it('E1: a first holder outside the frontline is not an owner', () => {
    const result = run(fdTicket({ groupId: FD.appSupport, assigneeId: fd.alex.id }));
    expect(result.ownerUpdate).toBeNull();
    expect(decisionsOf(result, 'E1')).toHaveLength(0);
  });

  it('E1: the owner stays owner through an escalation', () => {
    const before = fdTicket({ assigneeId: fd.sam.id });
    const result = run(fdTicket({ groupId: FD.appSupport, assigneeId: null, updatedAt: T1 }), {
      previous: before,
      actorId: fd.sam.id,
      history: { owner: owner(before, fd.sam, FD.clientSuccess) },
    });
    expect(result.ownerUpdate).toBeNull();
    expect(result.handoffs).toEqual([expect.objectContaining({ direction: 'escalate', fromAssigneeId: fd.sam.id, toGroupId: FD.appSupport })]);
  });

  it('E1: one CS agent handing the ticket to another moves ownership', () => {
    const before = fdTicket({ assigneeId: fd.sam.id });
    const result = run(fdTicket({ assigneeId: fd.nadia.id, updatedAt: T1 }), {
      previous: before,
      actorId: fd.sam.id,
      history: { owner: owner(before, fd.sam, FD.clientSuccess) },
    });
    expect(result.ownerUpdate).toMatchObject({ ownerId: fd.nadia.id });
    expect(only(result, 'E1').summary).toContain('from Sam Ortiz to Nadia Brooks');
  });

  it('E1: without roles configured for the connection no owner is tracked', () => {
    const s = settings();
    delete s.roles['freshdesk/default'];
    expect(run(fdTicket({ assigneeId: fd.sam.id }), { settings: s }).ownerUpdate).toBeNull();
  });
});

/** A Sam-owned Freshdesk ticket, moved by Sam to `to` at T1. */
function escalate(to: Partial<Ticket>, opts: { mode?: RuleMode; tags?: string[]; handoffs?: Handoff[]; type?: string } = {}) {
  const before = fdTicket({ assigneeId: fd.sam.id, tags: opts.tags ?? [], type: opts.type ?? 'Problem' });
  const after = { ...before, ...to, updatedAt: T1 };
  return run(after, {
    previous: before,
    actorId: fd.sam.id,
    settings: settings({ modes: { E2: opts.mode ?? 'enforce' } }),
    history: { owner: owner(before, fd.sam, FD.clientSuccess), handoffs: opts.handoffs ?? [] },
  });
}

describe('E2 ladder', () => {
  const toZac = { assigneeId: fd.zac.id };
  const cases: Array<{ name: string; run: () => ReturnType<typeof run>; verdict: string; actions: string[] }> = [
    { name: 'frontline to App Support is allowed', run: () => escalate({ groupId: FD.appSupport, assigneeId: null }), verdict: 'ok', actions: [] },
    { name: 'frontline straight to the CS Manager is moved to App Support (enforce)', run: () => escalate(toZac), verdict: 'corrected', actions: ['reassign', 'privateNote'] },
    { name: 'frontline straight to the CS Manager is noted (warn)', run: () => escalate(toZac, { mode: 'warn' }), verdict: 'violation', actions: ['privateNote'] },
    { name: 'to the CS Management group counts as the manager', run: () => escalate({ groupId: FD.csManagement, assigneeId: null }), verdict: 'corrected', actions: ['reassign', 'privateNote'] },
    { name: 'a complaint may go straight to the manager', run: () => escalate(toZac, { tags: ['complaint'] }), verdict: 'ok', actions: [] },
    { name: 'a high-risk ticket may go straight to the manager', run: () => escalate(toZac, { tags: ['High-Risk'] }), verdict: 'ok', actions: [] },
    {
      name: 'a complaint by type (config) may go straight to the manager',
      run: () => {
        const before = fdTicket({ assigneeId: fd.sam.id, type: 'Complaint' });
        return run({ ...before, assigneeId: fd.zac.id, updatedAt: T1 }, {
          previous: before,
          actorId: fd.sam.id,
          settings: settings({ yaml: { complaintTypes: ['complaint'] } }),
          history: { owner: owner(before, fd.sam, FD.clientSuccess) },
        });
      },
      verdict: 'ok',
      actions: [],
    },
    {
      name: 'once App Support had the ticket, the manager is allowed',
      run: () =>
        escalate(toZac, {
          handoffs: [
            handoff(fdTicket(), { at: T0, direction: 'escalate', fromGroupId: FD.clientSuccess, toGroupId: FD.appSupport, fromAssigneeId: fd.sam.id, toAssigneeId: null }),
            handoff(fdTicket(), { at: T0, direction: 'handback', fromGroupId: FD.appSupport, toGroupId: FD.clientSuccess, fromAssigneeId: fd.alex.id, toAssigneeId: fd.sam.id }),
          ],
        }),
      verdict: 'ok',
      actions: [],
    },
  ];
  it.each(cases)('E2: $name', ({ run: go, verdict, actions }) => {
    const result = go();
    const d = only(result, 'E2');
    expect(d.verdict).toBe(verdict);
    expect(kinds(d.actions)).toEqual(actions);
  });

  it('E2: the correction moves the ticket to the App Support group with no assignee and is a handoff', () => {
    const result = escalate({ assigneeId: fd.zac.id });
    expect(only(result, 'E2').actions[0]).toMatchObject({ kind: 'reassign', groupId: FD.appSupport, assigneeId: null });
    expect(result.handoffs.map((h) => h.direction)).toEqual(['escalate', 'escalate']);
    const note = only(result, 'E2').actions[1];
    expect(note?.kind === 'privateNote' ? note.html : '').toContain('The first escalation goes to App Support');
  });

  it('E2: Zendesk, Tier 1 straight to MEI Management is moved to the Tier 2 group', () => {
    const before = zdTicket({ assigneeId: zd.dana.id });
    const result = run({ ...before, groupId: ZD.management, assigneeId: null, updatedAt: T1 }, {
      previous: before,
      actorId: zd.dana.id,
      history: { owner: owner(before, zd.dana, ZD.tier1) },
    });
    expect(only(result, 'E2')).toMatchObject({ verdict: 'corrected', actions: [expect.objectContaining({ kind: 'reassign', groupId: ZD.tier2, assigneeId: null }), expect.anything()] });
  });
});

/** Sam's ticket, with `reviewer` since T1 (consult handoff in the trail). */
function consult(reviewer: typeof fd.heather, change: (t: Ticket) => Partial<Ticket>, opts: { mode?: RuleMode; now?: string } = {}) {
  const base = fdTicket({ assigneeId: fd.sam.id });
  const atReviewer = { ...base, assigneeId: reviewer.id, updatedAt: T1 };
  const trail = [handoff(base, { at: T1, direction: reviewer === fd.zac ? 'escalate' : 'consult', actorId: fd.sam.id, fromGroupId: FD.clientSuccess, toGroupId: FD.clientSuccess, fromAssigneeId: fd.sam.id, toAssigneeId: reviewer.id })];
  const after = { ...atReviewer, ...change(atReviewer), updatedAt: T2 };
  return run(after, {
    previous: atReviewer,
    actorId: reviewer.id,
    now: opts.now ?? T2,
    settings: settings({ modes: { E3: opts.mode ?? 'enforce' } }),
    history: { owner: owner(base, fd.sam, FD.clientSuccess), handoffs: trail },
  });
}

describe('E3 consults', () => {
  const findings = (who: typeof fd.heather) => comment(who, minutesAfter(T1, 20), 'Known limitation of the export worker; see KB-112.');
  const cases: Array<{ name: string; run: () => ReturnType<typeof run>; verdict: string | null; actions: string[] }> = [
    {
      name: 'SME note and review-done return the ticket to the owner (enforce)',
      run: () => consult(fd.heather, (t) => ({ tags: ['review-done'], comments: [...t.comments, findings(fd.heather)] })),
      verdict: 'corrected',
      actions: ['reassign', 'removeTag', 'privateNote'],
    },
    {
      name: 'SME note and review-done are noted (warn)',
      run: () => consult(fd.heather, (t) => ({ tags: ['review-done'], comments: [...t.comments, findings(fd.heather)] }), { mode: 'warn' }),
      verdict: 'violation',
      actions: ['privateNote'],
    },
    {
      name: 'review-done without a private note asks the reviewer for one',
      run: () => consult(fd.heather, () => ({ tags: ['review-done'] })),
      verdict: 'violation',
      actions: ['privateNote'],
    },
    { name: 'a note without review-done keeps the consult going', run: () => consult(fd.heather, (t) => ({ comments: [...t.comments, findings(fd.heather)] })), verdict: null, actions: [] },
    {
      name: 'the consult window running out returns the ticket (enforce)',
      run: () => consult(fd.tracey, () => ({}), { now: minutesAfter(T1, 48 * 60 + 1) }),
      verdict: 'corrected',
      actions: ['reassign', 'privateNote'],
    },
    {
      name: 'the CS Manager review done returns the ticket too',
      run: () => consult(fd.zac, (t) => ({ tags: ['review-done'], comments: [...t.comments, findings(fd.zac)] })),
      verdict: 'corrected',
      actions: ['reassign', 'removeTag', 'privateNote'],
    },
  ];
  it.each(cases)('E3: $name', ({ run: go, verdict, actions }) => {
    const found = decisionsOf(go(), 'E3');
    expect(found).toHaveLength(verdict === null ? 0 : 1);
    expect(found[0]?.verdict ?? null).toBe(verdict);
    expect(kinds(found[0]?.actions ?? [])).toEqual(actions);
  });

  it('E3: the return goes to the owner and its group, as a return handoff', () => {
    const result = consult(fd.heather, (t) => ({ tags: ['review-done'], comments: [...t.comments, findings(fd.heather)] }));
    expect(only(result, 'E3').actions[0]).toMatchObject({ kind: 'reassign', groupId: FD.clientSuccess, assigneeId: fd.sam.id });
    expect(result.handoffs).toEqual([expect.objectContaining({ direction: 'return', toAssigneeId: fd.sam.id })]);
  });

  it('E3: a note older than the consult does not count', () => {
    const old = comment(fd.heather, T0, 'An older note from a previous consult.');
    const result = consult(fd.heather, (t) => ({ tags: ['review-done'], comments: [old, ...t.comments] }));
    expect(only(result, 'E3').summary).toContain('without a private note');
  });
});

describe('E4 requester contact belongs to the owner', () => {
  function atAppSupport(author: typeof fd.alex, isPublic: boolean, tags: string[] = [], group = FD.appSupport, assignee: string | null = fd.alex.id) {
    const base = fdTicket({ assigneeId: fd.sam.id });
    const before = { ...base, groupId: group, assigneeId: assignee, tags, updatedAt: T1 };
    const after = { ...before, comments: [comment(author, T2, 'Hi Ana, the export is fixed.', isPublic)], updatedAt: T2 };
    return run(after, { previous: before, history: { owner: owner(base, fd.sam, FD.clientSuccess) } });
  }
  const cases: Array<{ name: string; run: () => ReturnType<typeof run>; verdict: string | null }> = [
    { name: 'App Support replying publicly while escalated is a violation, noted to the owner', run: () => atAppSupport(fd.alex, true), verdict: 'violation' },
    { name: 'App Support writing a private note is allowed', run: () => atAppSupport(fd.alex, false), verdict: null },
    { name: 'the owner replying publicly is allowed', run: () => atAppSupport(fd.sam, true), verdict: null },
    { name: 'ownership-transferred allows the reply', run: () => atAppSupport(fd.alex, true, ['ownership-transferred']), verdict: null },
    { name: 'not escalated: another CS agent replying is not E4', run: () => atAppSupport(fd.nadia, true, [], FD.clientSuccess, fd.sam.id), verdict: null },
    { name: 'the SME replying publicly during a consult is a violation', run: () => atAppSupport(fd.heather, true, [], FD.clientSuccess, fd.heather.id), verdict: 'violation' },
  ];
  it.each(cases)('E4: $name', ({ run: go, verdict }) => {
    const found = decisionsOf(go(), 'E4');
    expect(found).toHaveLength(verdict === null ? 0 : 1);
    if (verdict !== null) {
      expect(found[0]?.verdict).toBe(verdict);
      expect(kinds(found[0]?.actions ?? [])).toEqual(['privateNote']);
      const html = found[0]?.actions[0]?.kind === 'privateNote' ? found[0].actions[0].html : '';
      expect(html).toContain('Requester contact belongs to the owner, Sam Ortiz');
    }
  });
});

describe('E5 knowledge capture', () => {
  const escalated = [handoff(fdTicket(), { at: T1, direction: 'escalate', fromGroupId: FD.clientSuccess, toGroupId: FD.appSupport, fromAssigneeId: fd.sam.id, toAssigneeId: null })];
  function resolve(extra: Partial<Ticket>, opts: { handoffs?: Handoff[]; from?: Ticket['status']; yaml?: Record<string, unknown> } = {}) {
    const base = fdTicket({ assigneeId: fd.sam.id, status: opts.from ?? 'open', updatedAt: T1 });
    const after = { ...base, status: 'resolved' as const, ...extra, updatedAt: T2 };
    return run(after, { previous: base, actorId: fd.sam.id, settings: settings({ yaml: opts.yaml }), history: { owner: owner(base, fd.sam, FD.clientSuccess), handoffs: opts.handoffs ?? escalated } });
  }
  const full = 'Outcome: export limit raised to 5,000.\nRoot cause: worker timeout of 60s.\nMissing documentation: none.';
  const cases: Array<{ name: string; run: () => ReturnType<typeof run>; verdict: string | null; missing?: string[] }> = [
    { name: 'escalated and resolved with all three headings is allowed', run: () => resolve({ comments: [comment(fd.alex, T2, full)] }), verdict: 'ok' },
    { name: 'escalated and resolved with nothing captured is a knowledge gap', run: () => resolve({}), verdict: 'violation', missing: ['Outcome', 'Root cause', 'Missing documentation'] },
    {
      name: 'root cause missing is a knowledge gap naming it',
      run: () => resolve({ comments: [comment(fd.alex, T2, 'Outcome: fixed.\nMissing docs: KB-112 needs a section')] }),
      verdict: 'violation',
      missing: ['Root cause'],
    },
    {
      name: 'custom fields count (config)',
      run: () =>
        resolve(
          { customFields: { cf_outcome: 'Fixed', cf_root_cause: 'Timeout', cf_missing_docs: 'None' } },
          { yaml: { knowledgeFields: { freshdesk: { outcome: 'cf_outcome', rootCause: 'cf_root_cause', missingDocs: 'cf_missing_docs' } } } },
        ),
      verdict: 'ok',
    },
    { name: 'a public reply with the headings does not count', run: () => resolve({ comments: [comment(fd.sam, T2, full, true)] }), verdict: 'violation' },
    { name: 'a ticket never escalated is not judged', run: () => resolve({}, { handoffs: [] }), verdict: null },
    { name: 'resolved to closed is not judged again', run: () => resolve({ status: 'closed' }, { from: 'resolved' }), verdict: null },
  ];
  it.each(cases)('E5: $name', ({ run: go, verdict, missing }) => {
    const found = decisionsOf(go(), 'E5');
    expect(found).toHaveLength(verdict === null ? 0 : 1);
    expect(found[0]?.verdict ?? null).toBe(verdict);
    if (missing) {
      const html = found[0]?.actions[0]?.kind === 'privateNote' ? found[0].actions[0].html : '';
      for (const m of missing) expect(html).toContain(`<li>${m}</li>`);
      expect(found[0]?.summary).toContain('knowledge gap');
    }
  });

  it('E5: headings alone on a line take the following text', () => {
    const parts = knowledgeInText('**Outcome**\nRaised the limit\n\nRoot cause:\n\nMissing documentation\nnone', {
      outcome: ['Outcome'],
      rootCause: ['Root cause'],
      missingDocs: ['Missing documentation'],
    });
    expect([...parts].sort()).toEqual(['missingDocs', 'outcome']);
  });
});
