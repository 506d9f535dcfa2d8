import { loadConfig } from '../../src/config/load';
import { policySchema } from '../../src/config/schema';
import { auditDecisions } from '../../src/policy/engine';
import { resolveRoles } from '../../src/policy/roles';
import { comment, decisionsOf, fd, fdTicket, handoff, minutesAfter, only, owner, run, settings, T0, ZD, zd, zdTicket } from './fixtures';

const T1 = minutesAfter(T0, 30);
const T2 = minutesAfter(T0, 90);

describe('M5 the engine never judges its own writes', () => {
  it('M5: a change made by the integration user is an echo: no decisions, no handoffs', () => {
    const before = zdTicket({ groupId: ZD.tier2, assigneeId: zd.li.id, updatedAt: T1 });
    const result = run({ ...before, assigneeId: null, updatedAt: T2 }, { previous: before, actorId: zd.integration.id, history: { owner: owner(before, zd.dana, ZD.tier1) } });
    expect(result).toMatchObject({ echo: true, decisions: [], handoffs: [], ownerUpdate: null });
  });

  it('M5: with the actor unknown, a change that lands exactly on our correction is recognised', () => {
    const before = fdTicket({ assigneeId: fd.sam.id });
    const jumped = { ...before, assigneeId: fd.zac.id, updatedAt: T1 };
    const history = { owner: owner(before, fd.sam, '43000612001'), handoffs: [] as ReturnType<typeof handoff>[], decisions: [] as ReturnType<typeof auditDecisions> };
    const first = run(jumped, { previous: before, actorId: fd.sam.id, history });
    history.handoffs = first.handoffs;
    history.decisions = auditDecisions(first, new Date(T1), 1);
    const landed = { ...jumped, groupId: '43000612002', assigneeId: null, updatedAt: T2 };
    const echo = run(landed, { previous: jumped, actorId: null, history });
    expect(echo.handoffs).toEqual([]);
    expect(decisionsOf(echo, 'E2')).toEqual([]);
  });

  it('M5: a signed helpdesk-sync note is not an agent comment (it is no H1 context)', () => {
    const before = zdTicket({ assigneeId: zd.dana.id, updatedAt: T1 });
    const ours = { ...comment(zd.dana, T1, 'Escalations to Tier 2 go to the group. helpdesk-sync · rule H2'), authorId: null, author: null };
    const result = run({ ...before, groupId: ZD.tier2, comments: [...before.comments, ours], assigneeId: null, updatedAt: T2 }, {
      previous: before,
      actorId: zd.dana.id,
      history: { owner: owner(before, zd.dana, ZD.tier1) },
    });
    expect(only(result, 'H1').verdict).toBe('violation');
  });
});

describe('never fight an agent; never repeat an action', () => {
  it('H2: the same event evaluated again (a retry) asks for nothing new', () => {
    const before = zdTicket({ assigneeId: zd.dana.id, updatedAt: T1 });
    const after = { ...before, groupId: ZD.tier2, assigneeId: zd.li.id, updatedAt: T2 };
    const history = { owner: owner(before, zd.dana, ZD.tier1), handoffs: [] as ReturnType<typeof handoff>[], decisions: [] as ReturnType<typeof auditDecisions> };
    const first = run(after, { previous: before, actorId: zd.dana.id, history });
    const again = run(after, { previous: before, actorId: zd.dana.id, history: { ...history, handoffs: first.handoffs, decisions: auditDecisions(first, new Date(T2), 7) } });
    expect(decisionsOf(again, 'H2')).toEqual([]);
    expect(again.handoffs).toEqual([]);
    // And an identical evaluation gives identical keys, so the executor skips what it ran.
    const twin = run(after, { previous: before, actorId: zd.dana.id, history });
    expect(twin.decisions.flatMap((d) => d.actions.map((a) => a.idempotencyKey))).toEqual(first.decisions.flatMap((d) => d.actions.map((a) => a.idempotencyKey)));
  });

  it('H2: Dana setting Li again after the correction is recorded as reversed, with no action', () => {
    const before = zdTicket({ assigneeId: zd.dana.id, updatedAt: T1 });
    const escalated = { ...before, groupId: ZD.tier2, assigneeId: zd.li.id, updatedAt: T2 };
    const first = run(escalated, { previous: before, actorId: zd.dana.id, history: { owner: owner(before, zd.dana, ZD.tier1) } });
    const cleared = { ...escalated, assigneeId: null, updatedAt: minutesAfter(T2, 1) };
    const history = { owner: owner(before, zd.dana, ZD.tier1), handoffs: first.handoffs, decisions: auditDecisions(first, new Date(T2), 1) };
    const reassigned = { ...cleared, assigneeId: zd.li.id, updatedAt: minutesAfter(T2, 5) };
    const result = run(reassigned, { previous: cleared, actorId: zd.dana.id, history });
    expect(only(result, 'H2')).toMatchObject({ verdict: 'violation', summary: 'H2: reversed by agent; not corrected again', actions: [] });
  });

  it('T3: an agent moving the priority away from the matrix value is recorded once, not fought', () => {
    const s = settings({ yaml: { priorityMatrix: { fields: { freshdesk: { impact: 'cf_impact', urgency: 'cf_urgency' } } } } });
    const base = fdTicket({ priority: 'normal', customFields: { cf_impact: 'high', cf_urgency: 'high' } });
    const first = run(base, { settings: s });
    expect(only(first, 'T3').verdict).toBe('corrected');
    const set = { ...base, priority: 'urgent' as const, updatedAt: T1 };
    const lowered = { ...set, priority: 'high' as const, updatedAt: T2 };
    const result = run(lowered, { previous: set, actorId: fd.sam.id, settings: s, history: { decisions: auditDecisions(first, new Date(T0), 1) } });
    expect(only(result, 'T3')).toMatchObject({ verdict: 'violation', actions: [] });
  });
});

describe('the audit trail', () => {
  it('every decision becomes an audit entry with rule, ticket, actor, time, verdict and actions', () => {
    const before = zdTicket({ assigneeId: zd.dana.id, updatedAt: T1 });
    const result = run({ ...before, groupId: ZD.tier2, assigneeId: zd.li.id, updatedAt: T2 }, { previous: before, actorId: zd.dana.id, history: { owner: owner(before, zd.dana, ZD.tier1) } });
    const entries = auditDecisions(result, new Date(T2), 42);
    expect(entries).toHaveLength(result.decisions.length);
    expect(entries.find((e) => e.ruleId === 'H2')).toMatchObject({
      ticket: { vendor: 'zendesk', connectionId: 'default', id: '7741' },
      verdict: 'corrected',
      actorId: zd.dana.id,
      at: new Date(T2),
      eventId: 42,
      actions: [expect.objectContaining({ kind: 'clearAssignee', idempotencyKey: `policy:zendesk:default:7741:H2:${T2}:clearAssignee` }), expect.anything()],
    });
  });
});

describe('config: policy section', () => {
  it('the shipped defaults parse and configure no roles, so ladder and handoff rules stay off', () => {
    const { config } = loadConfig({ env: {} });
    expect(config.policy.roles).toEqual({});
    expect(config.policy.freeMailDomains).toContain('gmail.com');
    expect(config.policy.modes.H2).toBe('enforce');
    expect(resolveRoles(config.policy, 'freshdesk', 'default')).toBeNull();
    const before = fdTicket({ assigneeId: fd.sam.id, requester: fd.jo, organisation: null });
    const result = run({ ...before, assigneeId: fd.zac.id, updatedAt: T1 }, { previous: before, actorId: fd.sam.id, settings: config.policy });
    expect(result.decisions.map((d) => d.ruleId)).toEqual(['T1']);
    expect(result.ownerUpdate).toBeNull();
  });

  it('roles accept YAML numbers as ids and refuse a key that is not <vendor>/<connection>', () => {
    const parsed = policySchema.parse({ roles: { 'zendesk/partner-b': { frontlineGroups: [8447320466001], tier2Group: 8447320466430 } } });
    expect(parsed.roles['zendesk/partner-b']).toMatchObject({ frontlineGroups: ['8447320466001'], tier2Group: '8447320466430', firstEscalationGroup: null });
    expect(resolveRoles(parsed, 'zendesk', 'partner-b')?.firstEscalationGroup).toBe('8447320466430');
    expect(policySchema.safeParse({ roles: { 'jira/default': {} } }).success).toBe(false);
  });

  it('an empty policy section gets every default', () => {
    const parsed = policySchema.parse({});
    expect(parsed).toMatchObject({ reviewDoneTag: 'review-done', consultWindowHours: 48, complaintTags: ['complaint'], priorityMatrix: { levels: { P1: 'urgent' } } });
  });
});
