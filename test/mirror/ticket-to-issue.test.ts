import { refFor, signatureText } from '../../src/domain/rules';
import type { Ticket, TicketComment } from '../../src/domain/ticket';
import { adfToText } from '../../src/jira/adf';
import type { AdfDocument } from '../../src/jira/types';
import { m3Key, type Pair } from '../../src/mirror';
import { expectValidAdf } from '../jira/adf-schema';
import {
  at,
  comment,
  expectDecisionsCoverActions,
  issue,
  kinds,
  ledger,
  mirrorSettings,
  only,
  ourNote,
  pair,
  STATUS,
  ticket,
  ticketEvent,
  zd,
} from './fixtures';

const adfText = (body: unknown) => adfToText(body as AdfDocument);
const withComments = (...comments: TicketComment[]): Ticket => {
  const base = ticket();
  return { ...base, comments: [...base.comments, ...comments], updatedAt: at(30) };
};

describe('M3 ticket comments become Jira comments', () => {
  it.each<[string, TicketComment, RegExp[]]>([
    ['a public reply by the requester', comment(zd.maria, at(5), 'Sorry, it is still not working.', true), [/Maria/, /\(requester\)/, /Public reply: the requester saw this/]],
    ['a private note by the owner', comment(zd.dana, at(5), 'Customer is on the Enterprise plan.', false), [/Dana/, /\(agent\)/, /Private note: not visible to the requester/]],
    ['a reply by someone the vendor did not name (id only)', { ...comment(zd.dana, at(5), 'From the API.', true), author: null, authorId: '8447388099999', incoming: false }, [/user 8447388099999/, /requester saw this/]],
  ])('M3: %s is one valid, signed Jira comment saying who wrote it and whether the requester saw it', (_what, c, says) => {
    const plan = ticketEvent(withComments(c), ticket());
    const jc = only(plan, 'jira.comment');
    const key = `M3:zendesk:default:7741:comment:${c.id}`;
    expect(jc).toMatchObject({ key, rule: 'M3', issue: pair().issue });
    expect(jc.key).toBe(m3Key(ticket(), c.id));
    expectValidAdf(jc.body as AdfDocument);
    const t = adfText(jc.body);
    for (const s of says) expect(t).toMatch(s);
    expect(t).toContain(c.bodyText);
    expect(t).toContain('ZD#7741');
    expect(t).toContain(signatureText('M3', refFor(key)));
    expect(plan.decisions).toEqual([expect.objectContaining({ ruleId: 'M3', verdict: 'ok', actionKeys: [key] })]);
  });

  it('M3: paragraphs are kept, attachments are links, and odd characters never make invalid ADF', () => {
    const c: TicketComment = {
      ...comment(zd.dana, at(5), 'First paragraph\nsecond line\n\n\nSecond paragraph \u0007with a bell'),
      attachments: [
        { name: 'gateway.log', url: 'https://mei.zendesk.com/attachments/token/abc/?name=gateway.log' },
        { name: 'screenshot.png', url: 'cid:inline-1' },
      ],
    };
    const jc = only(ticketEvent(withComments(c), ticket()), 'jira.comment');
    expectValidAdf(jc.body as AdfDocument);
    const json = JSON.stringify(jc.body);
    expect(json).toContain('"type":"link","attrs":{"href":"https://mei.zendesk.com/attachments/token/abc/?name=gateway.log"}');
    expect(json).not.toContain('\u0007');
    expect(json).not.toContain('"href":"cid:');
    const paragraphs = (jc.body.content as Array<{ type: string }>).filter((n) => n.type === 'paragraph').length;
    expect(paragraphs).toBeGreaterThanOrEqual(5);
  });

  it('M3: an empty body still gives valid ADF', () => {
    expectValidAdf(only(ticketEvent(withComments(comment(zd.dana, at(5), '   ')), ticket()), 'jira.comment').body as AdfDocument);
  });

  it('M3: private notes stay on the ticket when mirrorPrivateNotes is off; public replies still go', () => {
    const now = withComments(comment(zd.dana, at(5), 'internal', false), comment(zd.dana, at(6), 'to Maria', true));
    const plan = ticketEvent(now, ticket(), { settings: mirrorSettings({ mirrorPrivateNotes: false }) });
    expect(plan.actions.map((a) => adfText((a as { body: unknown }).body))).toEqual([expect.stringContaining('to Maria')]);
  });

  const c = comment(zd.dana, at(5), 'We found the cause.', true);
  it.each<[string, TicketComment, Partial<Pair>]>([
    ['by our API user', { ...comment(zd.integration, at(5), 'a policy note'), public: false }, {}],
    ['signed by us (our M1 note coming back)', ourNote(at(5), 'M1', 'Tomas Ek commented on SUP-20'), {}],
    ['made by one of our writes (ledger result id)', c, { writes: [ledger('M1:default:10042:comment:1', 'helpdesk.note', { resultId: c.id })] }],
    ['older than the link (in the description, J2)', comment(zd.dana, at(-5), 'Escalating.', false), {}],
    ['already mirrored (its key is in the ledger)', c, { writes: [ledger(m3Key(ticket(), c.id), 'jira.comment', { resultId: '10999' })] }],
  ])('M3/M5: no Jira comment for a comment %s', (_what, comment, over) => {
    const now = withComments(comment);
    expect(ticketEvent(now, ticket(), { pair: pair(now, over) }).actions).toEqual([]);
  });
});

describe('priority to Jira', () => {
  const before = ticket({ priority: 'high', updatedAt: at(5) });
  const urgent = { ...before, priority: 'urgent' as const, updatedAt: at(9) };

  it('the helpdesk owns the priority (default): jira.edit with the mapped Jira priority, keyed by the change', () => {
    const plan = ticketEvent(urgent, before, { actorId: zd.dana.id });
    const edit = only(plan, 'jira.edit');
    expect(edit).toMatchObject({ rule: 'M3', key: `M3:zendesk:default:7741:priority:${before.updatedAt}->urgent`, fields: { priority: { name: 'Highest' } } });
    expectDecisionsCoverActions(plan);
  });

  it('the issue already has that priority (Jira\'s own change coming back): nothing', () => {
    expect(ticketEvent(urgent, before, { issue: issue({ priority: 'Highest' }) }).actions).toEqual([]);
  });

  it('Jira owns the priority: nothing goes to Jira', () => {
    expect(ticketEvent(urgent, before, { settings: mirrorSettings({ ownership: { status: 'jira', priority: 'jira' } }) }).actions).toEqual([]);
  });
});

describe('M4 a ticket reopened after it was solved moves its issue back to work', () => {
  const solved = ticket({ status: 'resolved', vendorStatus: 'solved', updatedAt: at(40) });
  const reply = comment(zd.maria, at(50), 'Sorry, it is still not working: the backend is unreachable again.', true);
  const reopened: Ticket = { ...solved, status: 'open', vendorStatus: 'open', updatedAt: at(50), comments: [...solved.comments, reply] };
  const done = issue({ status: STATUS.completed, updated: at(35) });
  const key = `M4:zendesk:default:7741:${solved.updatedAt}`;

  it('M4: a transition found by target status (config.reopenStatuses) with a signed comment naming who reopened it', () => {
    const plan = ticketEvent(reopened, solved, { actorId: zd.maria.id, issue: done });
    const t = only(plan, 'jira.transition');
    expect(t).toMatchObject({ key, rule: 'M4', toStatuses: ['Work in progress', 'In Progress'], issue: pair().issue });
    expectValidAdf(t.comment as AdfDocument);
    const said = adfText(t.comment);
    expect(said).toMatch(/reopened/);
    expect(said).toContain('Maria');
    expect(said).toContain(signatureText('M4', refFor(key)));
    // Her reply is its own M3 comment: not quoted again here.
    expect(said).not.toContain('still not working');
    expect(only(plan, 'jira.comment').key).toBe(m3Key(reopened, reply.id));
    expectDecisionsCoverActions(plan);
  });

  it('M4: custom reopen statuses are the transition\'s targets', () => {
    const plan = ticketEvent(reopened, solved, { actorId: zd.maria.id, issue: done, settings: mirrorSettings({ reopenStatuses: ['Reopened'] }) });
    expect(only(plan, 'jira.transition').toStatuses).toEqual(['Reopened']);
  });

  it.each<[string, Parameters<typeof ticketEvent>[2]]>([
    ['our API user reopened it (M2 returning the ticket)', { actorId: zd.integration.id }],
    ['no actor named, and an M2 update of ours set that status since the last kept state', { actorId: null, pair: pair(reopened, { writes: [ledger('M2:default:10042:x->Completed:owner', 'helpdesk.update', { ruleId: 'M2', resultId: 'status:open', at: at(45) })] }) }],
  ])('M4/M5: no transition when %s', (_what, over) => {
    expect(kinds(ticketEvent(reopened, solved, { issue: done, ...over })).filter((k) => k === 'jira.transition')).toEqual([]);
  });

  it('M4: with no actor named, an M2 update of ours before the last kept state is not the cause', () => {
    const writes = [ledger('M2:default:10042:x->Completed:owner', 'helpdesk.update', { ruleId: 'M2', resultId: 'status:open', at: at(20) })];
    expect(kinds(ticketEvent(reopened, solved, { actorId: null, issue: done, pair: pair(reopened, { writes }) }))).toContain('jira.transition');
  });

  it('M4: the issue is already in a reopen status: no transition, an info decision', () => {
    const plan = ticketEvent(reopened, solved, { actorId: zd.maria.id, issue: issue({ status: STATUS.wip }) });
    expect(kinds(plan)).toEqual(['jira.comment']);
    expect(plan.decisions.find((d) => d.ruleId === 'M4')).toMatchObject({ verdict: 'info', actionKeys: [] });
  });
});

describe('other ticket status changes', () => {
  const before = ticket({ status: 'open', updatedAt: at(5) });
  const held = { ...before, status: 'on_hold' as const, updatedAt: at(9) };

  it('M2: Jira owns the status: the ticket\'s change is not pushed, and the decision says why', () => {
    const plan = ticketEvent(held, before, { actorId: zd.dana.id });
    expect(plan.actions).toEqual([]);
    expect(plan.decisions).toEqual([expect.objectContaining({ ruleId: 'M2', verdict: 'info', summary: expect.stringMatching(/Jira owns the engineering status/) })]);
  });

  it('M2: the helpdesk owns the status: the issue moves to a Jira status mapped to the ticket\'s', () => {
    const plan = ticketEvent({ ...held, status: 'pending' }, before, { actorId: zd.dana.id, settings: mirrorSettings({ ownership: { status: 'helpdesk', priority: 'helpdesk' } }) });
    expect(only(plan, 'jira.transition').toStatuses).toEqual(expect.arrayContaining(['waiting for customer', 'pending']));
  });

  it('M5: our own status write coming back is not judged at all', () => {
    expect(ticketEvent(held, before, { actorId: zd.integration.id })).toEqual({ actions: [], decisions: [] });
  });
});
