import type { RuleMode } from '../../src/policy/types';
import { subjectSimilarity } from '../../src/policy/triage';
import { decisionsOf, fd, fdTicket, kinds, only, run, settings, T0, zd, zdTicket, minutesAfter } from './fixtures';

describe('T1 requester domain', () => {
  const cases: Array<{ name: string; mode: RuleMode; email: string; verdict: string | null; actions: string[] }> = [
    { name: 'employer domain is allowed', mode: 'enforce', email: 'ana@northwind.example', verdict: 'ok', actions: [] },
    { name: 'gmail is tagged and noted (enforce)', mode: 'enforce', email: 'jo.smith1987@gmail.com', verdict: 'violation', actions: ['addTag', 'privateNote'] },
    { name: 'gmail is only noted (warn)', mode: 'warn', email: 'jo.smith1987@gmail.com', verdict: 'violation', actions: ['privateNote'] },
    { name: 'hotmail, any case, is free mail', mode: 'enforce', email: 'Pat.Quinn@HOTMAIL.com', verdict: 'violation', actions: ['addTag', 'privateNote'] },
    { name: 'off skips the rule', mode: 'off', email: 'jo.smith1987@gmail.com', verdict: null, actions: [] },
  ];
  it.each(cases)('T1: $name', ({ mode, email, verdict, actions }) => {
    const ticket = fdTicket({ requester: { ...fd.jo, email }, organisation: null });
    const result = run(ticket, { settings: settings({ modes: { T1: mode } }) });
    const found = decisionsOf(result, 'T1');
    if (verdict === null) {
      expect(found).toHaveLength(0);
      return;
    }
    expect(found).toHaveLength(1);
    expect(found[0]?.verdict ?? null).toBe(verdict);
    expect(kinds(found[0]?.actions ?? [])).toEqual(actions);
    if (actions.includes('addTag')) expect(found[0]?.actions[0]).toMatchObject({ tag: 'unverified-requester-domain' });
  });

  it('T1: the ticket is never dropped and the note cites the rule', () => {
    const result = run(fdTicket({ requester: fd.jo, organisation: null }));
    const note = only(result, 'T1').actions.find((a) => a.kind === 'privateNote');
    expect(note).toBeDefined();
    expect(note && note.kind === 'privateNote' ? note.html : '').toContain('helpdesk-sync · rule T1');
    expect(note && note.kind === 'privateNote' ? note.html : '').toContain('handled as usual');
  });

  it('T1: judged once per ticket', () => {
    const first = run(fdTicket({ requester: fd.jo }));
    const ticket = fdTicket({ requester: fd.jo, updatedAt: minutesAfter(T0, 5), status: 'pending' });
    const again = run(ticket, {
      previous: fdTicket({ requester: fd.jo }),
      history: { decisions: first.decisions.map((d) => ({ ticket: first.ticket, ruleId: d.ruleId, verdict: d.verdict, actorId: null, at: new Date(T0), summary: d.summary, actions: d.actions, eventId: 1 })) },
    });
    expect(decisionsOf(again, 'T1')).toHaveLength(0);
  });
});

describe('T2 organisation by domain', () => {
  const cases: Array<{ name: string; mode: RuleMode; ticket: () => ReturnType<typeof zdTicket>; verdict: string | null; actions: string[] }> = [
    { name: 'requester with an organisation is allowed', mode: 'enforce', ticket: () => zdTicket(), verdict: 'ok', actions: [] },
    {
      name: 'known domain sets the organisation (enforce)',
      mode: 'enforce',
      ticket: () => zdTicket({ organisation: null, requester: { ...zd.maria, organisationId: null } }),
      verdict: 'corrected',
      actions: ['setOrganisation', 'privateNote'],
    },
    {
      name: 'known domain is only noted (warn)',
      mode: 'warn',
      ticket: () => zdTicket({ organisation: null, requester: { ...zd.maria, organisationId: null } }),
      verdict: 'violation',
      actions: ['privateNote'],
    },
    {
      name: 'unknown domain is tagged unsupported-organization (enforce)',
      mode: 'enforce',
      ticket: () => zdTicket({ organisation: null, requester: { ...zd.maria, email: 'x@elsewhere.example', organisationId: null } }),
      verdict: 'violation',
      actions: ['addTag', 'privateNote'],
    },
    {
      name: 'unknown domain is only noted (warn)',
      mode: 'warn',
      ticket: () => zdTicket({ organisation: null, requester: { ...zd.maria, email: 'x@elsewhere.example', organisationId: null } }),
      verdict: 'violation',
      actions: ['privateNote'],
    },
  ];
  it.each(cases)('T2: $name', ({ mode, ticket, verdict, actions }) => {
    const result = run(ticket(), { settings: settings({ modes: { T2: mode } }) });
    const found = decisionsOf(result, 'T2');
    expect(found).toHaveLength(verdict === null ? 0 : 1);
    expect(found[0]?.verdict ?? null).toBe(verdict);
    expect(kinds(found[0]?.actions ?? [])).toEqual(actions);
  });

  it('T2: the organisation set is the one owning the domain', () => {
    const result = run(zdTicket({ organisation: null, requester: { ...zd.maria, organisationId: null } }));
    expect(only(result, 'T2').actions[0]).toMatchObject({ kind: 'setOrganisation', organisationId: '8447346622463' });
  });

  it('T2: with no organisations configured or known, the rule waits (no unsupported tag on everything)', () => {
    const s = settings();
    const roles = s.roles['zendesk/default'];
    if (roles) roles.supportedOrganisations = [];
    const result = run(zdTicket({ organisation: null, requester: { ...zd.maria, organisationId: null } }), { settings: s });
    expect(decisionsOf(result, 'T2')).toHaveLength(0);
  });

  it('T2: an agent clearing the organisation we set is recorded, not corrected again', () => {
    const bare = zdTicket({ organisation: null, requester: { ...zd.maria, organisationId: null } });
    const first = run(bare);
    const decisions = first.decisions.map((d) => ({ ticket: first.ticket, ruleId: d.ruleId, verdict: d.verdict, actorId: null, at: new Date(T0), summary: d.summary, actions: d.actions, eventId: 1 }));
    const withOrg = { ...bare, organisation: { id: '8447346622463', name: 'YCDSB', domains: [] }, updatedAt: minutesAfter(T0, 1) };
    const cleared = { ...bare, updatedAt: minutesAfter(T0, 5) };
    const again = run(cleared, { previous: withOrg, actorId: zd.dana.id, history: { decisions } });
    expect(only(again, 'T2')).toMatchObject({ verdict: 'violation', summary: 'T2: reversed by agent; not corrected again', actions: [] });
  });
});

describe('T3 priority matrix', () => {
  const withFields = (modes: Partial<Record<string, RuleMode>> = {}) =>
    settings({ modes, yaml: { priorityMatrix: { fields: { freshdesk: { impact: 'cf_impact', urgency: 'cf_urgency' } } } } });
  const cases: Array<{ name: string; mode: RuleMode; impact: string | null; urgency: string; priority: 'low' | 'normal' | 'high' | 'urgent'; verdict: string | null; actions: string[] }> = [
    { name: 'matching priority is allowed', mode: 'enforce', impact: 'High', urgency: 'Medium', priority: 'high', verdict: 'ok', actions: [] },
    { name: 'wrong priority is set (enforce)', mode: 'enforce', impact: 'High', urgency: 'High', priority: 'normal', verdict: 'corrected', actions: ['setPriority', 'privateNote'] },
    { name: 'wrong priority is noted (warn)', mode: 'warn', impact: 'low', urgency: 'low', priority: 'urgent', verdict: 'violation', actions: ['privateNote'] },
    { name: 'unknown impact: nothing to judge', mode: 'enforce', impact: null, urgency: 'High', priority: 'normal', verdict: null, actions: [] },
  ];
  it.each(cases)('T3: $name', ({ mode, impact, urgency, priority, verdict, actions }) => {
    const ticket = fdTicket({ priority, customFields: { cf_impact: impact, cf_urgency: urgency } });
    const result = run(ticket, { settings: withFields({ T3: mode }) });
    const found = decisionsOf(result, 'T3');
    expect(found).toHaveLength(verdict === null ? 0 : 1);
    expect(found[0]?.verdict ?? null).toBe(verdict);
    expect(kinds(found[0]?.actions ?? [])).toEqual(actions);
  });

  it('T3: high impact and high urgency is P1, urgent', () => {
    const result = run(fdTicket({ customFields: { cf_impact: 'High', cf_urgency: 'High' } }), { settings: withFields() });
    expect(only(result, 'T3').actions[0]).toMatchObject({ kind: 'setPriority', priority: 'urgent', level: 'P1' });
  });

  it('T3: no fields configured (the default): the rule is silent', () => {
    expect(decisionsOf(run(fdTicket({ customFields: { cf_impact: 'High', cf_urgency: 'High' } })), 'T3')).toHaveLength(0);
  });
});

describe('T4 possible duplicate', () => {
  const earlier = { id: '2290', subject: 'Invoice export fails with timeout', createdAt: minutesAfter(T0, -120) };
  const cases: Array<{ name: string; mode: RuleMode; recent: Array<{ id: string; subject: string; createdAt: string }>; verdict: string | null; actions: string[] }> = [
    { name: 'no similar ticket is allowed', mode: 'enforce', recent: [{ id: '2280', subject: 'Cannot log in', createdAt: minutesAfter(T0, -60) }], verdict: 'ok', actions: [] },
    { name: 'similar subject within the window is tagged (enforce)', mode: 'enforce', recent: [earlier], verdict: 'info', actions: ['addTag', 'privateNote'] },
    { name: 'similar subject within the window is noted (warn)', mode: 'warn', recent: [earlier], verdict: 'info', actions: ['privateNote'] },
    { name: 'outside the window is allowed', mode: 'enforce', recent: [{ ...earlier, createdAt: minutesAfter(T0, -73 * 60) }], verdict: 'ok', actions: [] },
    { name: 'a reply-prefixed subject still matches', mode: 'enforce', recent: [{ ...earlier, subject: 'RE: Invoice export fails with a timeout!' }], verdict: 'info', actions: ['addTag', 'privateNote'] },
  ];
  it.each(cases)('T4: $name', ({ mode, recent, verdict, actions }) => {
    const result = run(fdTicket(), { settings: settings({ modes: { T4: mode } }), recent });
    const found = decisionsOf(result, 'T4');
    expect(found).toHaveLength(verdict === null ? 0 : 1);
    expect(found[0]?.verdict ?? null).toBe(verdict);
    expect(kinds(found[0]?.actions ?? [])).toEqual(actions);
  });

  it('T4: the note names the earlier ticket', () => {
    const result = run(fdTicket(), { recent: [earlier] });
    const note = only(result, 'T4').actions.find((a) => a.kind === 'privateNote');
    expect(note?.kind === 'privateNote' ? note.html : '').toContain('#2290');
    expect(only(result, 'T4').actions[0]).toMatchObject({ kind: 'addTag', tag: 'possible-duplicate' });
  });

  it('T4: subject similarity ignores prefixes, case and filler words', () => {
    expect(subjectSimilarity('Re: Dashboard shows no data', 'dashboard shows NO data')).toBe(1);
    expect(subjectSimilarity('Dashboard shows no data', 'Password reset')).toBe(0);
  });
});
