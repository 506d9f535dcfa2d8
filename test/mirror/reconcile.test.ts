import type { JiraIssue, Ticket, TicketComment } from '../../src/domain/ticket';
import type { AdfDocument } from '../../src/jira/types';
import { reconcilePair, type Pair } from '../../src/mirror';
import { expectValidAdf } from '../jira/adf-schema';
import {
  at,
  comment,
  identity,
  issue,
  issueEvent,
  jiraComment,
  jiraPeople,
  kinds,
  mirrorSettings,
  only,
  ourJiraComment,
  ourNote,
  pair,
  recorded,
  STATUS,
  ticket,
  ticketEvent,
  zd,
} from './fixtures';

const reconcile = (t: Ticket, i: JiraIssue, over: { pair?: Pair; settings?: ReturnType<typeof mirrorSettings> } = {}) =>
  reconcilePair({ pair: over.pair ?? pair(t), ticket: t, issue: i, settings: over.settings ?? mirrorSettings({}, t), identity, now: new Date(i.updated) });

/** Both sides in step: Jira in work, the Zendesk ticket open (in_progress as Zendesk keeps it), priorities mapped. */
const inWork = issue({ status: STATUS.wip, priority: 'High', updated: at(30) });
const open = (over: Partial<Ticket> = {}) => ticket({ status: 'open', priority: 'high', updatedAt: at(31), ...over });

describe('M6 reconcile: comments either side is missing', () => {
  const fromJira = [jiraComment(jiraPeople.tech1, at(5), 'Found it.'), jiraComment(jiraPeople.priya, at(6), 'Fix in review.')];
  const fromTicket: TicketComment[] = [comment(zd.dana, at(7), 'Thanks, telling Maria.', false), comment(zd.maria, at(8), 'Any news?', true)];
  const t = (): Ticket => ({ ...open(), comments: [...open().comments, ...fromTicket] });
  const i = (): JiraIssue => ({ ...inWork, comments: fromJira });

  it('M6: the repairs carry exactly the keys the event paths use, so a repair never duplicates a webhook\'s write', () => {
    const plan = reconcile(t(), i());
    const viaEvents = [...issueEvent(i()).actions, ...ticketEvent(t(), null).actions];
    expect(plan.actions.map((a) => a.key).sort()).toEqual(viaEvents.map((a) => a.key).sort());
    expect(plan.actions).toEqual(expect.arrayContaining(viaEvents));
    expect(plan.drift).toEqual([expect.objectContaining({ field: 'comments', repaired: true })]);
    for (const a of plan.actions) if (a.kind === 'jira.comment') expectValidAdf(a.body as AdfDocument);
  });

  it('M6: after the event paths wrote them, a reconcile finds nothing to do', () => {
    const writes = recorded({ actions: [...issueEvent(i()).actions, ...ticketEvent(t(), null).actions], decisions: [] }, at(20));
    const plan = reconcile(t(), i(), { pair: pair(t(), { writes }) });
    expect(plan).toEqual({ actions: [], decisions: [], drift: [] });
  });
});

describe('M6 reconcile: status', () => {
  it('M6: in step (Zendesk keeps in_progress as open): no drift', () => {
    expect(reconcile(open(), inWork).drift).toEqual([]);
  });

  it('M6: Jira owns the status and the ticket disagrees: the ticket is repaired, keyed by both sides\' update times', () => {
    const t = open({ status: 'pending' });
    const plan = reconcile(t, inWork);
    const update = only(plan, 'helpdesk.update');
    expect(update).toMatchObject({ rule: 'M6', key: `M6:zendesk:default:7741:status:${t.updatedAt}|${inWork.updated}`, patch: { status: 'in_progress' } });
    expect(plan.drift).toEqual([expect.objectContaining({ field: 'status', ticketSide: 'pending', jiraSide: 'Work in progress', repaired: true })]);
    expect(plan.decisions).toEqual([expect.objectContaining({ ruleId: 'M6', verdict: 'corrected', actionKeys: [update.key] })]);
  });

  it('M6: the helpdesk owns the status: reported, not repaired', () => {
    const plan = reconcile(open({ status: 'pending' }), inWork, { settings: mirrorSettings({ ownership: { status: 'helpdesk', priority: 'helpdesk' } }) });
    expect(plan.actions).toEqual([]);
    expect(plan.drift).toEqual([expect.objectContaining({ field: 'status', repaired: false })]);
  });

  it('M6: a solved ticket while Jira still works on it is reported, never reopened by a reconcile', () => {
    const plan = reconcile(open({ status: 'resolved' }), inWork);
    expect(plan.actions).toEqual([]);
    expect(plan.drift).toEqual([expect.objectContaining({ field: 'status', ticketSide: 'resolved', repaired: false })]);
  });

  it('M6: a Jira status with no mapping is unrepairable drift, reported with an M6 decision', () => {
    const plan = reconcile(open(), { ...inWork, status: { id: '99', name: 'Awaiting deploy window', categoryKey: 'indeterminate' } });
    expect(plan.actions).toEqual([]);
    expect(plan.drift).toEqual([expect.objectContaining({ field: 'status', jiraSide: 'Awaiting deploy window', repaired: false })]);
    expect(plan.decisions).toEqual([expect.objectContaining({ ruleId: 'M6', verdict: 'info' })]);
  });

  it('M6: Jira done leaves the ticket to its owner: open, pending or solved are all in step', () => {
    const done = { ...inWork, status: STATUS.completed };
    for (const status of ['open', 'pending', 'resolved'] as const) expect(reconcile(open({ status }), done).drift).toEqual([]);
  });
});

describe('M6 reconcile: priority, toward its owner', () => {
  it('M6: the helpdesk owns it (default): Jira gets the mapped priority', () => {
    const plan = reconcile(open({ priority: 'urgent' }), inWork);
    expect(only(plan, 'jira.edit')).toMatchObject({ rule: 'M6', fields: { priority: { name: 'Highest' } } });
    expect(plan.drift).toEqual([expect.objectContaining({ field: 'priority', ticketSide: 'urgent', jiraSide: 'High', repaired: true })]);
  });

  it('M6: Jira owns it: the ticket gets the priority the map gives back', () => {
    const plan = reconcile(open({ priority: 'urgent' }), inWork, { settings: mirrorSettings({ ownership: { status: 'jira', priority: 'jira' } }) });
    expect(only(plan, 'helpdesk.update').patch).toEqual({ priority: 'high' });
  });

  it('M6: Jira owns it and its priority maps to nothing: reported, not repaired', () => {
    const plan = reconcile(open(), { ...inWork, priority: 'Blocker' }, { settings: mirrorSettings({ ownership: { status: 'jira', priority: 'jira' } }) });
    expect(plan.actions).toEqual([]);
    expect(plan.drift).toEqual([expect.objectContaining({ field: 'priority', repaired: false })]);
  });
});

describe('M5 a long exchange: 50 comments each way, interleaved with our own copies', () => {
  function exchange(): { t: Ticket; i: JiraIssue } {
    const ticketComments: TicketComment[] = [];
    const issueComments: JiraIssue['comments'] = [];
    for (let n = 1; n <= 50; n += 1) {
      // A person on each side...
      issueComments.push(jiraComment(jiraPeople.tech1, at(2 * n), `Engineering update ${n}`));
      ticketComments.push(comment(zd.dana, at(2 * n), `Support update ${n}`, n % 2 === 0));
      // ...and our copy of the other side's comment, as each vendor gives it back.
      ticketComments.push(ourNote(at(2 * n + 1), 'M1', `Tomas Ek commented on SUP-20: Engineering update ${n}`));
      issueComments.push(ourJiraComment(at(2 * n + 1), 'M3', `Dana Fox (agent) on ZD#7741: Support update ${n}`));
    }
    const base = open();
    return { t: { ...base, comments: [...base.comments, ...ticketComments], updatedAt: at(200) }, i: { ...inWork, comments: issueComments, updated: at(200) } };
  }

  it('M5: exactly 50 notes and 50 Jira comments, one per person\'s comment, none for our own', () => {
    const { t, i } = exchange();
    const toTicket = issueEvent(i, { ticket: t });
    const toJira = ticketEvent(t, null, { issue: i });
    expect(kinds(toTicket)).toEqual(Array(50).fill('helpdesk.note'));
    expect(kinds(toJira)).toEqual(Array(50).fill('jira.comment'));
    expect(new Set([...toTicket.actions, ...toJira.actions].map((a) => a.key)).size).toBe(100);
    for (const a of toJira.actions) if (a.kind === 'jira.comment') expectValidAdf(a.body as AdfDocument);
    // Once written, nothing more from either path, nor from a reconcile.
    const writes = recorded({ actions: [...toTicket.actions, ...toJira.actions], decisions: [] }, at(201));
    expect(issueEvent(i, { ticket: t, pair: pair(t, { writes }) }).actions).toEqual([]);
    expect(ticketEvent(t, null, { issue: i, pair: pair(t, { writes }) }).actions).toEqual([]);
    expect(reconcile(t, i, { pair: pair(t, { writes }) }).actions).toEqual([]);
  });
});
