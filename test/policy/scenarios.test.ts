import { countRoundTrips } from '../../src/policy/handoff';
import { comment, decisionsOf, FD, fd, fdTicket, minutesAfter, only, Replay, ZD, zd, zdTicket } from './fixtures';

/** The escalation scenarios' flows (docs/rules.md), replayed state by state through the pure engine, as the worker would feed it. */

describe('the Zendesk handoff: the ping-pong between Aegent Tier 1 and MEI Tier 2', () => {
  it('H4, H5, H3, H6, H1, H2: two round trips end with the ticket back at Dana, every Tier 2 public comment flagged', () => {
    const r = new Replay(zdTicket(), { integration: zd.integration });
    r.create(zd.maria);

    // The claim: the first group member to open it becomes the assignee (H6, E1).
    const claim = r.step(12, zd.dana, () => ({ assigneeId: zd.dana.id }));
    expect(only(claim, 'H6').summary).toContain('Dana Fox claimed the unassigned ticket 12 minutes after it was created');
    expect(r.history.owner).toMatchObject({ ownerId: zd.dana.id, ownerGroupId: ZD.tier1 });

    // Step 6a: a private comment, then the Tier 2 group... with Li as assignee, which H2 clears.
    const first = r.step(20, zd.dana, (t) => ({
      comments: [...t.comments, comment(zd.dana, r.now, 'Meter feed is fine and the gateway is online. Can MEI check the import job?')],
      groupId: ZD.tier2,
      assigneeId: zd.li.id,
    }));
    expect(only(first, 'H1').verdict).toBe('ok');
    expect(only(first, 'H2').verdict).toBe('corrected');
    const echo1 = r.applyActions(first);
    expect(echo1).toMatchObject({ echo: true, decisions: [], handoffs: [] });
    expect(r.ticket).toMatchObject({ groupId: ZD.tier2, assigneeId: null });

    // Step 6b-c: Li pulls, answers publicly by mistake (H3), comments privately and hands back to Dana (H4 ok).
    expect(r.step(30, zd.li, () => ({ assigneeId: zd.li.id })).decisions).toEqual([]);
    const back1 = r.step(45, zd.li, (t) => ({
      comments: [
        ...t.comments,
        comment(zd.li, minutesAfter(r.now, -5), 'Hi Maria, we are rerunning the import.', true),
        comment(zd.li, r.now, 'Import job failed on Monday; rerun scheduled for tonight.'),
      ],
      groupId: ZD.tier1,
      assigneeId: zd.dana.id,
    }));
    expect(only(back1, 'H3').verdict).toBe('violation');
    expect(only(back1, 'H4')).toMatchObject({ verdict: 'ok', actions: [] });
    expect(only(back1, 'H5').summary).toContain('round trips so far: 1');

    // Step 6d and 7: Dana asks again, privately, and escalates to the group alone.
    const second = r.step(60, zd.dana, (t) => ({
      comments: [...t.comments, comment(zd.dana, r.now, 'Data is back for Monday but Tuesday is still empty.')],
      groupId: ZD.tier2,
      assigneeId: null,
    }));
    expect(only(second, 'H1').verdict).toBe('ok');
    expect(decisionsOf(second, 'H2')).toHaveLength(0);

    // Maya pulls, replies publicly (H3 again) and hands back to Omar, not the owner (H4 corrects).
    r.step(15, zd.maya, () => ({ assigneeId: zd.maya.id }));
    const back2 = r.step(30, zd.maya, (t) => ({
      comments: [...t.comments, comment(zd.maya, r.now, 'Tuesday backfilled, all good now.', true)],
      groupId: ZD.tier1,
      assigneeId: zd.omar.id,
    }));
    expect(only(back2, 'H3').verdict).toBe('violation');
    expect(only(back2, 'H4')).toMatchObject({ verdict: 'corrected', actions: [expect.objectContaining({ kind: 'reassign', groupId: ZD.tier1, assigneeId: zd.dana.id }), expect.anything()] });
    expect(r.applyActions(back2)?.echo).toBe(true);

    // The end state: with Dana, who owns it; every handback decided for her; two round trips.
    expect(r.ticket).toMatchObject({ groupId: ZD.tier1, assigneeId: zd.dana.id });
    expect(r.history.owner?.ownerId).toBe(zd.dana.id);
    const h4 = r.history.decisions.filter((d) => d.ruleId === 'H4');
    expect(h4.map((d) => d.verdict)).toEqual(['ok', 'corrected']);
    expect(countRoundTrips(r.history.handoffs)).toBe(2);
    expect(r.history.handoffs.map((h) => h.direction)).toEqual(['escalate', 'handback', 'escalate', 'handback', 'reassign']);
    const h5 = r.history.decisions.filter((d) => d.ruleId === 'H5');
    expect(h5[h5.length - 1]?.summary).toContain('round trips so far: 2');
    const h3 = r.history.decisions.filter((d) => d.ruleId === 'H3');
    expect(h3.map((d) => d.actorId)).toEqual([zd.li.id, zd.maya.id]);
    // Every action the engine asked for has its own key: a retry never repeats one.
    const keys = r.history.decisions.flatMap((d) => d.actions as Array<{ idempotencyKey: string }>).map((a) => a.idempotencyKey);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('the Freshdesk ladder', () => {
  it('E2: a CS-to-manager jump is corrected to App Support, and a deliberate second jump is left alone', () => {
    const r = new Replay(fdTicket({ assigneeId: fd.sam.id }), { integration: fd.integration });
    r.create(fd.ana);
    expect(r.history.owner?.ownerId).toBe(fd.sam.id);

    const jump = r.step(30, fd.sam, () => ({ assigneeId: fd.zac.id }));
    expect(only(jump, 'E2')).toMatchObject({ verdict: 'corrected', actions: [expect.objectContaining({ kind: 'reassign', groupId: FD.appSupport, assigneeId: null }), expect.anything()] });
    expect(r.applyActions(jump)?.echo).toBe(true);
    expect(r.ticket).toMatchObject({ groupId: FD.appSupport, assigneeId: null });

    // Sam moves it to Zac again: recorded, not fought (at most one correction per escalation).
    const again = r.step(10, fd.sam, () => ({ groupId: FD.clientSuccess, assigneeId: fd.zac.id }));
    expect(only(again, 'E2')).toMatchObject({ verdict: 'violation', summary: 'E2: reversed by agent; not corrected again', actions: [] });
    expect(r.history.owner?.ownerId).toBe(fd.sam.id);
  });

  it('E2: a complaint goes straight to the CS Manager untouched', () => {
    const r = new Replay(fdTicket({ assigneeId: fd.sam.id, tags: ['complaint'] }), { integration: fd.integration });
    r.create(fd.ana);
    const jump = r.step(30, fd.sam, () => ({ assigneeId: fd.zac.id }));
    expect(only(jump, 'E2')).toMatchObject({ verdict: 'ok', actions: [] });
    expect(jump.decisions.flatMap((d) => d.actions)).toEqual([]);
  });

  it('E3: Heather is consulted, leaves a private note, tags review-done, and the ticket returns to Sam', () => {
    const r = new Replay(fdTicket({ assigneeId: fd.sam.id }), { integration: fd.integration });
    r.create(fd.ana);
    const toHeather = r.step(30, fd.sam, (t) => ({
      assigneeId: fd.heather.id,
      comments: [...t.comments, comment(fd.sam, r.now, 'Heather, is the 60s export limit configurable per account?')],
    }));
    expect(toHeather.handoffs).toEqual([expect.objectContaining({ direction: 'consult', toAssigneeId: fd.heather.id })]);
    expect(decisionsOf(toHeather, 'E3')).toHaveLength(0);

    const noted = r.step(60 * 24, fd.heather, (t) => ({
      comments: [...t.comments, comment(fd.heather, r.now, 'Yes: Admin > Exports > Timeout. Documented in KB-112.')],
    }));
    expect(decisionsOf(noted, 'E3')).toHaveLength(0);

    const done = r.step(5, fd.heather, (t) => ({ tags: [...t.tags, 'review-done'] }));
    expect(only(done, 'E3')).toMatchObject({ verdict: 'corrected' });
    expect(r.applyActions(done)?.echo).toBe(true);
    expect(r.ticket).toMatchObject({ groupId: FD.clientSuccess, assigneeId: fd.sam.id, tags: [] });
    expect(r.history.handoffs.map((h) => h.direction)).toEqual(['consult', 'return']);

    // Sam carries on with the requester: nothing more from E3.
    const reply = r.step(10, fd.sam, (t) => ({ comments: [...t.comments, comment(fd.sam, r.now, 'Hi Ana, you can raise the timeout under Admin > Exports.', true)] }));
    expect(reply.decisions).toEqual([]);
  });

  it('E5: an escalated ticket resolved without a root cause appears as a knowledge gap', () => {
    const r = new Replay(fdTicket({ assigneeId: fd.sam.id }), { integration: fd.integration });
    r.create(fd.ana);
    r.step(20, fd.sam, (t) => ({
      groupId: FD.appSupport,
      assigneeId: null,
      comments: [...t.comments, comment(fd.sam, r.now, 'KB and Glean have nothing on export timeouts.')],
    }));
    r.step(10, fd.alex, () => ({ assigneeId: fd.alex.id }));
    r.step(60, fd.alex, (t) => ({
      groupId: FD.clientSuccess,
      assigneeId: fd.sam.id,
      comments: [...t.comments, comment(fd.alex, r.now, 'Outcome: raised the account export timeout to 300s.\nMissing documentation: KB-112 lacks the timeout setting.')],
    }));
    const resolved = r.step(30, fd.sam, () => ({ status: 'resolved', vendorStatus: '4' }));
    const gap = only(resolved, 'E5');
    expect(gap).toMatchObject({ verdict: 'violation', summary: 'E5: knowledge gap: resolved without root cause' });
    const html = gap.actions[0]?.kind === 'privateNote' ? gap.actions[0].html : '';
    expect(html).toContain('Sam Ortiz, this ticket was escalated');
    expect(html).toContain('<li>Root cause</li>');
    // The knowledge-gap report reads the audit trail.
    expect(r.history.decisions.filter((d) => d.ruleId === 'E5' && d.verdict === 'violation')).toHaveLength(1);
  });
});
