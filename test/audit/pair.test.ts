import { auditDetail } from '../../src/audit/detail';
import { auditPair } from '../../src/audit/pair';
import { comment, zd } from '../policy/fixtures';
import { at } from '../mirror/fixtures';
import { auditSettingsForTest, breachedSla, decisionOf, facts, issue, linkOf, STATUS, ticket, trail } from './fixtures';

/** A1's judgement of one pair, from the store's facts only (pure). */
const settings = auditSettingsForTest();
const NOW = new Date(at(60));

describe('auditPair: a pair in good order', () => {
  it('shows both sides with links, no drift, complete content and no problems', () => {
    const t = ticket({ status: 'open', priority: 'high' });
    const p = auditPair(facts(t, issue({ status: STATUS.wip, priority: 'High' })), settings, NOW);
    expect(p.ticket).toMatchObject({ vendor: 'zendesk', id: '7741', url: 'https://mei.zendesk.com/agent/tickets/7741', subject: 'System is down', status: 'open', requester: zd.maria.name });
    expect(p.issue).toMatchObject({ key: 'SUP-20', url: 'https://hypertvx.atlassian.net/browse/SUP-20', status: 'Work in progress' });
    expect(p.drift).toEqual([]);
    expect(p.completeness).toMatchObject({ complete: true, needsInfo: false, missing: [] });
    expect(p.owner).toMatchObject({ id: zd.dana.id, name: null });
    expect(p.problems).toEqual([]);
  });

  it("names the owner where the ticket knows them (its assignee, or a comment's author)", () => {
    const asAssignee = auditPair(facts(ticket({ assignee: zd.dana, groupName: 'Aegent Tier 1' }), issue({ priority: 'High' })), settings, NOW);
    expect(asAssignee.owner).toMatchObject({ id: zd.dana.id, name: zd.dana.name, groupName: 'Aegent Tier 1' });
    const asAuthor = auditPair(facts(ticket({ assigneeId: zd.li.id, comments: [comment(zd.dana, at(3), 'Looking into it')] }), issue({ priority: 'High' })), settings, NOW);
    expect(asAuthor.owner?.name).toBe(zd.dana.name);
  });
});

describe('auditPair: completeness (J2, J5)', () => {
  it('flags a bug raised without steps and environment as needs-info, listing each section', () => {
    const t = ticket();
    const f = facts(t, issue({ priority: 'High' }), { link: linkOf(t, { missing: ['steps', 'environment'] }) });
    const p = auditPair(f, settings, NOW);
    expect(p.completeness.needsInfo).toBe(true);
    expect(p.completeness.missing).toEqual(['steps', 'environment']);
    const byName = Object.fromEntries(p.completeness.sections.map((s) => [s.name, s]));
    expect(byName.impact).toMatchObject({ present: true, required: true, title: 'Impact' });
    expect(byName.steps).toMatchObject({ present: false, required: true, title: 'Steps to reproduce' });
    expect(byName.requester?.present).toBe(true);
    expect(byName.escalationTrail?.present).toBe(false);
    expect(p.problems).toEqual([{ code: 'incomplete', ruleId: 'J5', text: 'needs info: steps, environment' }]);
  });

  it('is no longer a problem once the follow-ups brought what the raise lacked, though J5 recorded it then', () => {
    const t = ticket();
    const j5 = decisionOf(t, 'J5', 'violation', at(0), 'J5: Bug raised without steps to reproduce, environment: labelled needs-info');
    const p = auditPair(facts(t, issue({ priority: 'High' }), { link: linkOf(t, { missing: [] }), decisions: [j5] }), settings, NOW);
    expect(p.violations.map((v) => v.ruleId)).toEqual(['J5']);
    expect(p.problems).toEqual([]);
    const still = auditPair(facts(t, issue({ priority: 'High' }), { link: linkOf(t, { missing: ['steps'] }), decisions: [j5] }), settings, NOW);
    expect(still.problems.map((x) => `${x.ruleId} ${x.code}`)).toEqual(['J5 incomplete']);
  });

  it('does not ask a customer request for steps, impact or environment', () => {
    const t = ticket();
    const p = auditPair(facts(t, issue({ priority: 'High', issueType: 'Story' }), { link: linkOf(t, { kind: 'request' }) }), settings, NOW);
    expect(p.completeness.sections.filter((s) => s.required)).toEqual([]);
    expect(p.completeness.complete).toBe(true);
  });
});

describe('auditPair: drift (M2, M6)', () => {
  it('reports a ticket solved while its issue is still being worked', () => {
    const t = ticket({ status: 'resolved', vendorStatus: 'solved' });
    const p = auditPair(facts(t, issue({ status: STATUS.wip, priority: 'High' })), settings, NOW);
    expect(p.drift).toEqual([expect.objectContaining({ field: 'status', ticketSide: 'resolved', jiraSide: 'Work in progress', source: 'snapshots' })]);
    expect(p.problems.map((x) => [x.code, x.ruleId])).toEqual([['drift', 'M6']]);
  });

  it('is no drift when Jira is done, whatever the ticket says (the owner decides, M2)', () => {
    const t = ticket({ status: 'open' });
    expect(auditPair(facts(t, issue({ status: STATUS.completed, priority: 'High' })), settings, NOW).drift).toEqual([]);
  });

  it("reports a priority the ticket's map does not give the issue", () => {
    const t = ticket({ priority: 'urgent' });
    const p = auditPair(facts(t, issue({ priority: 'Low' })), settings, NOW);
    expect(p.drift.map((d) => [d.field, d.ticketSide, d.jiraSide])).toEqual([['priority', 'urgent', 'Low']]);
  });

  it("shows the reconcile job's unrepaired drift while the snapshots have nothing to say about it", () => {
    const t = ticket();
    const m6 = decisionOf(t, 'M6', 'violation', at(30), 'status drift: ticket open, SUP-20 Work in progress: the helpdesk owns the status; Jira is not moved by a reconcile');
    const p = auditPair(facts(t, issue({ priority: 'High' }), { decisions: [m6] }), settings, NOW);
    expect(p.drift).toEqual([expect.objectContaining({ field: 'status', source: 'reconcile' })]);
    const later = decisionOf(t, 'M6', 'corrected', at(40), 'status drift: repaired');
    expect(auditPair(facts(t, issue({ priority: 'High' }), { decisions: [m6, later] }), settings, NOW).drift).toEqual([]);
  });
});

describe('auditPair: SLA (S1-S3)', () => {
  it('shows the breach and its escalation, and makes it a problem', () => {
    const t = ticket({ priority: 'urgent' });
    const f = facts(t, issue({ priority: 'Highest' }), { sla: { ticket: linkOf(t).ticket, state: breachedSla(t, at(0)), open: true, nextCheckAt: null, updatedAt: new Date(at(0)) } });
    const p = auditPair(f, settings, new Date('2024-05-06T11:00:00.000Z'));
    expect(p.sla?.worst).toBe('breached');
    expect(p.sla?.escalations).toEqual([{ target: 'first_response', at: '2024-05-06T10:05:00.000Z', escalated: true }]);
    expect(p.problems).toContainEqual({ code: 'sla_breach', ruleId: 'S2', text: 'first response breached' });
  });

  it('reads a running target past its due time as breached, before the sla job looks again', () => {
    const t = ticket({ priority: 'urgent' });
    const f = facts(t, issue({ priority: 'Highest' }), { sla: { ticket: linkOf(t).ticket, state: breachedSla(t, at(0)), open: true, nextCheckAt: null, updatedAt: new Date(at(0)) } });
    const p = auditPair(f, settings, new Date('2024-05-06T13:30:00.000Z'));
    expect(p.sla?.targets.find((x) => x.target === 'resolution')).toMatchObject({ stage: 'breached', breachedAt: '2024-05-06T13:00:00.000Z' });
  });
});

describe('auditPair: trail, violations and knowledge (E1-E5, H1-H5)', () => {
  it('counts escalations and round trips, lists violations with what was done, and only open ones are problems', () => {
    const t = ticket();
    const h3 = decisionOf(t, 'H3', 'violation', at(20), 'H3: Tier 2 agent Li Wei replied publicly to the requester', [{ kind: 'privateNote', idempotencyKey: 'k1', html: '<p>..</p>' }]);
    const e2 = decisionOf(t, 'E2', 'corrected', at(25), 'reassigned past the ladder; moved back', [{ kind: 'reassign', idempotencyKey: 'k2', groupId: '90001', assigneeId: null }]);
    const p = auditPair(facts(t, issue({ priority: 'High' }), { handoffs: trail(t, at(5), at(15)), decisions: [h3, e2] }), settings, NOW);
    expect(p.trail).toMatchObject({ escalations: 1, roundTrips: 1 });
    expect(p.trail.handoffs[0]).toMatchObject({ direction: 'escalate', actorId: zd.dana.id });
    expect(p.violations.map((v) => [v.ruleId, v.verdict, v.actions])).toEqual([
      ['H3', 'violation', ['private note']],
      ['E2', 'corrected', ['reassigned to group 90001']],
    ]);
    expect(p.problems).toEqual([{ code: 'violation', ruleId: 'H3', text: 'Tier 2 agent Li Wei replied publicly to the requester' }]);
  });

  it('asks an escalated, resolved ticket for its outcome, root cause and missing documentation (E5)', () => {
    const withOutcome = ticket({ status: 'resolved', comments: [comment(zd.dana, at(50), 'Outcome: the feed was restarted and data is back.')] });
    const p = auditPair(facts(withOutcome, issue({ status: STATUS.completed, priority: 'High' }), { handoffs: trail(withOutcome, at(5), at(15)) }), settings, NOW);
    expect(p.knowledge).toMatchObject({ captured: ['outcome'], missing: ['rootCause', 'missingDocs'] });
    expect(p.problems).toContainEqual({ code: 'knowledge_gap', ruleId: 'E5', text: 'resolved without root cause, missing documentation' });
  });

  it('does not ask a ticket that was never escalated, nor one still open', () => {
    const resolved = ticket({ status: 'resolved' });
    expect(auditPair(facts(resolved, issue({ status: STATUS.completed, priority: 'High' })), settings, NOW).knowledge).toBeNull();
    const open = ticket({ status: 'open' });
    expect(auditPair(facts(open, issue({ priority: 'High' }), { handoffs: trail(open, at(5), at(15)) }), settings, NOW).knowledge).toBeNull();
  });
});

describe('auditPair: a raise under way, an unseen ticket', () => {
  it('has no issue while creating, and is a problem once stuck past the configured time (J1)', () => {
    const t = ticket();
    const f = facts(t, null, { link: linkOf(t, { state: 'creating', issueId: null, issueKey: null, kind: null, updatedAt: new Date(at(0)) }) });
    expect(auditPair(f, settings, new Date(at(5))).issue).toBeNull();
    expect(auditPair(f, settings, new Date(at(5))).problems).toEqual([]);
    expect(auditPair(f, settings, new Date(at(20))).problems).toEqual([{ code: 'raise_stuck', ruleId: 'J1', text: 'the Jira issue is still being raised' }]);
  });

  it('says so when no snapshot of the ticket was kept', () => {
    const p = auditPair(facts(null, issue()), settings, NOW);
    expect(p.ticket).toMatchObject({ id: '7741', subject: null, status: null });
    expect(p.problems.map((x) => x.code)).toContain('ticket_unseen');
  });
});

describe('auditDetail', () => {
  it('tells the story in time order: the raise, the handoffs, the decisions (not the oks), the SLA escalations', () => {
    const t = ticket({ priority: 'urgent' });
    const ok = decisionOf(t, 'T1', 'ok', at(1), 'triaged');
    const h3 = decisionOf(t, 'H3', 'violation', at(20), 'Tier 2 replied publicly');
    const f = facts(t, issue({ priority: 'Highest' }), { handoffs: trail(t, at(5), at(15)), decisions: [h3] });
    const d = auditDetail(f, [ok, h3], settings, NOW);
    expect(d.timeline.map((e) => [e.kind, e.ruleId])).toEqual([
      ['raised', 'J1'],
      ['handoff', 'H5'],
      ['handoff', 'H5'],
      ['decision', 'H3'],
    ]);
    expect(d.timeline[0]?.text).toBe('Jira bug SUP-20 raised');
    expect(d.decisions.map((x) => x.ruleId)).toEqual(['T1', 'H3']);
  });
});
