import { refFor, refOf } from '../../src/domain/rules';
import type { JiraComment, JiraIssue, Ticket } from '../../src/domain/ticket';
import { m1Key, type LedgerView, type Pair } from '../../src/mirror';
import {
  at,
  expectDecisionsCoverActions,
  issue,
  issueEvent,
  jiraComment,
  jiraPeople,
  kinds,
  ledger,
  only,
  ourJiraComment,
  pair,
  mirrorSettings,
  STATUS,
  ticket,
  ZD,
  zd,
} from './fixtures';

const { priya, tech1 } = jiraPeople;

/** The text of a note as an agent reads it. */
const text = (html: string) => html.replace(/<br>/g, '\n').replace(/<[^>]+>/g, ' ').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>');

describe('M1 Jira comments become private notes on the ticket', () => {
  it('M1: a person\'s comment is one private note naming the author, the time and the issue key, signed with its ref', () => {
    const c = jiraComment(tech1, '2024-05-06T09:42:00Z', 'Found it: the PDF renderer times out on large invoices.');
    const plan = issueEvent(issue({ comments: [c] }));
    const note = only(plan, 'helpdesk.note');
    expect(note).toMatchObject({ rule: 'M1', key: `M1:default:10042:comment:${c.id}`, ticket: pair().ticket });
    expect(note.key).toBe(m1Key(issue(), c.id));
    expect(text(note.html)).toContain('Tomas Ek');
    expect(text(note.html)).toContain('SUP-20');
    expect(text(note.html)).toContain('2024-05-06 09:42 UTC');
    expect(text(note.html)).toContain('Found it: the PDF renderer times out on large invoices.');
    expect(text(note.html)).toContain('rule M1');
    expect(refOf(note.html)).toBe(refFor(note.key));
    expect(plan.decisions).toEqual([expect.objectContaining({ ruleId: 'M1', verdict: 'ok', actorId: tech1.accountId, actionKeys: [note.key] })]);
  });

  it('M1: the body is escaped HTML with its paragraphs and lines kept', () => {
    const c = jiraComment(tech1, at(5), 'Root cause: <script> & "quotes"\n\nSecond paragraph\nsecond line');
    const note = only(issueEvent(issue({ comments: [c] })), 'helpdesk.note');
    expect(note.html).toContain('Root cause: &lt;script&gt; &amp; &quot;quotes&quot;');
    expect(note.html).not.toContain('<script>');
    expect(note.html).toContain('<p>Second paragraph<br>second line</p>');
  });

  it('M1: a Jira Service Management internal comment is still a private note, and says it was internal', () => {
    const note = only(issueEvent(issue({ comments: [jiraComment(priya, at(5), 'Internal: customer is Enterprise.', { public: false })] })), 'helpdesk.note');
    expect(text(note.html)).toMatch(/internal/i);
  });

  const c = jiraComment(tech1, at(5), 'Problem is solved');
  it.each<[string, JiraComment, Partial<Pair>]>([
    ['written by our Jira account', jiraComment(jiraPeople.integration, at(5), 'Problem is solved'), {}],
    ['signed by us, whoever Jira says wrote it', ourJiraComment(at(5), 'M3', 'Dana Fox (agent) on ZD#7741'), {}],
    ['the comment one of our writes made (ledger result id)', c, { writes: [ledger('M3:zendesk:default:7741:comment:1', 'jira.comment', { resultId: c.id })] }],
    ['older than the link: it is in the issue description (J2)', jiraComment(tech1, at(-5), 'Before the link'), {}],
    ['already mirrored (its key is in the ledger)', c, { writes: [ledger(m1Key(issue(), c.id), 'helpdesk.note', { resultId: '3011' })] }],
  ])('M1/M5: no note for a comment %s', (_what, comment, over) => {
    expect(issueEvent(issue({ comments: [comment] }), { pair: pair(undefined, over) })).toEqual({ actions: [], decisions: [] });
  });

  it('M1: a write whose answer was lost (ledger row still started) is asked for again, with the same key', () => {
    const writes = [ledger(m1Key(issue(), c.id), 'helpdesk.note', { state: 'started' })];
    expect(issueEvent(issue({ comments: [c] }), { pair: pair(undefined, { writes }) }).actions.map((a) => a.key)).toEqual([m1Key(issue(), c.id)]);
  });

  it('M1: state, not events: a webhook that saw one comment and a poll that sees three give the same key for the first, and one key per comment', () => {
    const first = jiraComment(tech1, at(5), 'one');
    const more = [jiraComment(priya, at(6), 'two'), jiraComment(tech1, at(7), 'three')];
    const webhook = issueEvent(issue({ comments: [first] }));
    const poll = issueEvent(issue({ comments: [first, ...more] }));
    expect(poll.actions.map((a) => a.key)).toEqual([first, ...more].map((x) => m1Key(issue(), x.id)));
    expect(poll.actions[0]).toEqual(webhook.actions[0]);
    // After the webhook's write is in the ledger, the poll asks only for the other two.
    const writes = webhook.actions.map((a) => ledger(a.key, a.kind));
    expect(issueEvent(issue({ comments: [first, ...more] }), { pair: pair(undefined, { writes }) }).actions).toHaveLength(2);
  });

  it('M1: never a public reply: the plan only has private notes', () => {
    const comments = [jiraComment(tech1, at(5), 'a'), jiraComment(priya, at(6), 'b', { public: true })];
    expect(kinds(issueEvent(issue({ comments })))).toEqual(['helpdesk.note', 'helpdesk.note']);
  });
});

describe('M2 Jira status changes', () => {
  const before = issue({ status: STATUS.open, updated: at(5) });
  const moved = (status: JiraIssue['status'], over: Partial<JiraIssue> = {}) => issue({ status, updated: at(30), ...over });
  const event = (now: JiraIssue, over: Parameters<typeof issueEvent>[1] = {}) =>
    issueEvent(now, { previous: before, previousSavedAt: at(6), actorId: priya.accountId, ...over });

  it('M2: Open -> Work in progress: a private note naming both statuses and the mapped ticket status (Freshdesk keeps in_progress as open)', () => {
    const fdTicketNow = ticket({ vendor: 'freshdesk', id: '2301', status: 'on_hold' });
    const plan = event(moved(STATUS.wip), { pair: pair(fdTicketNow), ticket: fdTicketNow, settings: mirrorSettings({}, fdTicketNow) });
    const base = `M2:default:10042:${before.updated}->Work in progress`;
    expect(plan.actions.map((a) => a.key)).toEqual([`${base}:note`, `${base}:status`]);
    const note = only(plan, 'helpdesk.note');
    expect(text(note.html)).toMatch(/Open.*Work in progress/);
    expect(refOf(note.html)).toBe(refFor(note.key));
    expect(only(plan, 'helpdesk.update').patch).toEqual({ status: 'in_progress' });
    expectDecisionsCoverActions(plan);
  });

  it('M2: the ticket already shows the mapped status (Zendesk keeps in_progress as open): the note only', () => {
    const plan = event(moved(STATUS.wip), { ticket: ticket({ status: 'open' }) });
    expect(kinds(plan)).toEqual(['helpdesk.note']);
  });

  it('M2: a Jira status nobody mapped: the note only, and the decision says why', () => {
    const plan = event(moved({ id: '99', name: 'Awaiting deploy window', categoryKey: 'indeterminate' }));
    expect(kinds(plan)).toEqual(['helpdesk.note']);
    expect(plan.decisions[0]?.summary).toMatch(/no ticket status is mapped/);
  });

  it('M2: a custom status map of the connection applies (case-insensitive on the Jira name)', () => {
    const settings = mirrorSettings({ statusMap: { 'zendesk/default': { 'AWAITING DEPLOY WINDOW': 'on_hold' } } });
    const plan = event(moved({ id: '99', name: 'Awaiting deploy window', categoryKey: 'indeterminate' }), { settings });
    expect(only(plan, 'helpdesk.update').patch).toEqual({ status: 'on_hold' });
  });

  it('M2 ownership: the helpdesk owns the status: the note still goes, the status change is an info decision', () => {
    const settings = mirrorSettings({ ownership: { status: 'helpdesk', priority: 'helpdesk' } });
    const plan = event(moved(STATUS.wip), { settings, ticket: ticket({ status: 'on_hold' }) });
    expect(kinds(plan)).toEqual(['helpdesk.note']);
    expect(plan.decisions).toEqual([expect.objectContaining({ ruleId: 'M2', verdict: 'info', summary: expect.stringMatching(/helpdesk owns the status/) })]);
  });

  it.each<[string, Parameters<typeof issueEvent>[1]]>([
    ['our Jira account made it (M4\'s transition coming back)', { actorId: jiraPeople.integration.accountId }],
    ['no actor named, and our transition to that status is in the ledger since the last kept state', { actorId: null, pair: pair(undefined, { writes: [ledger('M4:zendesk:default:7741:x', 'jira.transition', { resultId: 'Work in progress', at: at(20) })] }) }],
  ])('M2/M5: no note and no update when %s', (_what, over) => {
    expect(event(moved(STATUS.wip), over).actions).toEqual([]);
  });

  it('M2/M5: with no actor named, our transition before the last kept state does not hide a later one by a person', () => {
    const writes: LedgerView[] = [ledger('M4:zendesk:default:7741:x', 'jira.transition', { resultId: 'Work in progress', at: at(2) })];
    expect(kinds(event(moved(STATUS.wip), { actorId: null, pair: pair(undefined, { writes }), ticket: ticket({ status: 'on_hold' }) }))).toEqual(['helpdesk.note', 'helpdesk.update']);
  });

  it('M2: keys are one per change, the same on a retry and from a poll', () => {
    const a = event(moved(STATUS.wip), { ticket: ticket({ status: 'on_hold' }) });
    const b = event(moved(STATUS.wip), { ticket: ticket({ status: 'on_hold' }), actorId: null });
    expect(b.actions.map((x) => x.key)).toEqual(a.actions.map((x) => x.key));
    const writes = a.actions.map((x) => ledger(x.key, x.kind));
    expect(event(moved(STATUS.wip), { pair: pair(undefined, { writes }) }).actions).toEqual([]);
  });
});

describe('M2 Jira done returns the ticket to its owner (E1)', () => {
  const wip = issue({ status: STATUS.wip, updated: at(20) });
  const completed = issue({ status: STATUS.completed, resolution: 'Done', updated: at(40) });
  const withTier2: Ticket = ticket({ status: 'open', groupId: ZD.tier2, assigneeId: zd.li.id });
  const event = (over: Parameters<typeof issueEvent>[1] = {}) =>
    issueEvent(completed, { previous: wip, previousSavedAt: at(21), actorId: priya.accountId, ticket: withTier2, ...over });
  const base = `M2:default:10042:${wip.updated}->Completed`;

  it('M2: Completed: open again, assigned to the owner in the owner\'s group, with a note that it is ready to confirm with the requester', () => {
    const plan = event();
    expect(plan.actions.map((a) => a.key)).toEqual([`${base}:note`, `${base}:owner`]);
    expect(only(plan, 'helpdesk.update').patch).toEqual({ status: 'open', assigneeId: zd.dana.id, groupId: ZD.tier1 });
    expect(text(only(plan, 'helpdesk.note').html)).toMatch(/ready to confirm with the requester/);
    expect(text(only(plan, 'helpdesk.note').html)).toContain('Completed');
    expectDecisionsCoverActions(plan);
  });

  it('M2: resolveTicketOnDone resolves it for the owner', () => {
    const plan = event({ settings: mirrorSettings({ resolveTicketOnDone: true }) });
    expect(only(plan, 'helpdesk.update').patch).toEqual({ status: 'resolved', assigneeId: zd.dana.id, groupId: ZD.tier1 });
  });

  it('M2: no owner recorded: status only, and an info decision saying no E1 owner is recorded', () => {
    const plan = event({ pair: pair(undefined, { owner: null }), ticket: { ...withTier2, status: 'on_hold' } });
    expect(only(plan, 'helpdesk.update').patch).toEqual({ status: 'open' });
    expect(plan.decisions.some((d) => d.verdict === 'info' && /no owner recorded \(E1\)/.test(d.summary))).toBe(true);
  });

  it('M2: the ticket is already open with its owner: the note only', () => {
    expect(kinds(event({ ticket: ticket({ status: 'open', groupId: ZD.tier1, assigneeId: zd.dana.id }) }))).toEqual(['helpdesk.note']);
  });

  it('M2: a done status configured by name, outside Jira\'s done category', () => {
    const released = issue({ status: { id: '77', name: 'Released', categoryKey: 'indeterminate' }, updated: at(40) });
    const plan = issueEvent(released, { previous: wip, previousSavedAt: at(21), actorId: priya.accountId, ticket: withTier2, settings: mirrorSettings({ doneStatuses: ['Released'] }) });
    expect(only(plan, 'helpdesk.update').patch).toMatchObject({ status: 'open', assigneeId: zd.dana.id });
  });

  it('M2, the SUP-20 incident: Completed -> Closed after the owner solved the ticket: noted, and the solved ticket stays solved', () => {
    const closed = issue({ status: STATUS.closed, updated: at(90) });
    const plan = issueEvent(closed, { previous: completed, previousSavedAt: at(41), actorId: priya.accountId, ticket: ticket({ status: 'resolved' }) });
    expect(kinds(plan)).toEqual(['helpdesk.note']);
    const note = text(only(plan, 'helpdesk.note').html);
    expect(note).toContain('Closed');
    expect(note).not.toMatch(/ready to confirm/);
  });

  it('M2: Jira done while the owner had already solved the ticket: the ticket is not reopened', () => {
    expect(kinds(event({ ticket: ticket({ status: 'resolved' }) }))).toEqual(['helpdesk.note']);
  });
});

describe('Jira priority changes', () => {
  const before = issue({ priority: 'High', updated: at(5) });
  const highest = issue({ priority: 'Highest', updated: at(9) });
  const event = (over: Parameters<typeof issueEvent>[1] = {}) => issueEvent(highest, { previous: before, previousSavedAt: at(6), actorId: priya.accountId, ...over });

  it('the helpdesk owns the priority (default): no write to the ticket, an info decision saying so', () => {
    const plan = event();
    expect(plan.actions).toEqual([]);
    expect(plan.decisions).toEqual([expect.objectContaining({ verdict: 'info', summary: expect.stringMatching(/helpdesk owns the ticket's priority/) })]);
  });

  it('Jira owns the priority: the ticket gets the priority the map gives back (Highest -> urgent)', () => {
    const plan = event({ settings: mirrorSettings({ ownership: { status: 'jira', priority: 'jira' } }) });
    expect(only(plan, 'helpdesk.update')).toMatchObject({ rule: 'M2', patch: { priority: 'urgent' } });
    expectDecisionsCoverActions(plan);
  });

  it('Jira owns the priority, the ticket has it already (our own M3 edit coming back): nothing', () => {
    const plan = event({ settings: mirrorSettings({ ownership: { status: 'jira', priority: 'jira' } }), ticket: ticket({ priority: 'urgent' }), actorId: null });
    expect(plan.actions).toEqual([]);
  });
});
