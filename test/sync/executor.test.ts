/**
 * The executor and its ledger: every write at most once per key, whatever the retries; a write
 * whose answer was lost is found by its ref instead of being made twice; a refused write frees
 * its key; an answer that lacks what we expected does not undo a write that happened; M4's
 * transition is found by its target status.
 */
import type { WriteAction } from '../../src/domain/actions';
import { refFor, refOf, signNote } from '../../src/domain/rules';
import type { JiraIssue, Ticket } from '../../src/domain/ticket';
import { createLogger } from '../../src/logging/logger';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import type { VendorClients } from '../../src/sync/clients';
import { Executor, WriteInFlightError } from '../../src/sync/executor';
import { CircuitOpenError } from '../../src/vendors/core/circuit';
import { PartialWriteError, VendorApiError, type VendorErrorKind } from '../../src/vendors/core/errors';
import type { HelpdeskClient, JiraClientApi, JiraTransition } from '../../src/vendors/types';

const logger = createLogger({ level: 'silent' });
const TICKET = { vendor: 'zendesk' as const, connectionId: 'default', id: '5158' };
const ISSUE = { connectionId: 'default', id: '10002', key: 'SUP-311' };

function vendorError(kind: VendorErrorKind, status: number | null): VendorApiError {
  return new VendorApiError({ vendor: 'zendesk', connectionId: 'default', operation: 'addPrivateNote', method: 'PUT', path: '/api/v2/tickets/5158.json', kind, status, vendorMessage: 'test' });
}

function ticketWith(comments: Ticket['comments']): Ticket {
  return {
    vendor: 'zendesk',
    connectionId: 'default',
    id: '5158',
    url: 'https://acme.zendesk.com/agent/tickets/5158',
    subject: 'Invoices export fails',
    descriptionText: 'Export stops after a minute',
    descriptionHtml: null,
    status: 'open',
    vendorStatus: 'open',
    priority: 'high',
    type: 'incident',
    groupId: '8447320466430',
    assigneeId: null,
    requester: null,
    organisation: null,
    tags: ['jira-bug'],
    customFields: {},
    createdAt: '2026-12-01T09:00:00.000Z',
    updatedAt: '2026-12-01T10:00:00.000Z',
    comments,
  };
}

function issueIn(status: string): JiraIssue {
  return {
    connectionId: 'default',
    id: ISSUE.id,
    key: ISSUE.key,
    url: 'https://acme.atlassian.net/browse/SUP-311',
    summary: 'Invoices export fails (ZD#5158)',
    status: { id: '10001', name: status, categoryKey: status === 'Completed' ? 'done' : 'indeterminate' },
    issueType: 'Bug',
    priority: 'High',
    labels: [],
    assigneeAccountId: null,
    resolution: null,
    created: '2026-12-01T09:05:00.000Z',
    updated: '2026-12-01T10:05:00.000Z',
    comments: [],
  };
}

/** A helpdesk whose notes land at the vendor; `failNext` makes the next call fail after (or instead of) the work. */
class FakeHelpdesk implements Partial<HelpdeskClient> {
  notes: Array<{ id: string; html: string }> = [];
  failNext: { err: VendorApiError; afterWork: boolean } | null = null;
  getTicketCalls = 0;

  async addPrivateNote(_id: string, html: string): Promise<{ id: string }> {
    const fail = this.failNext;
    this.failNext = null;
    if (fail && !fail.afterWork) throw fail.err;
    const note = { id: String(9000 + this.notes.length), html };
    this.notes.push(note);
    if (fail) throw fail.err;
    return { id: note.id };
  }

  async updateTicket(): Promise<void> {}

  async getTicket(): Promise<Ticket> {
    this.getTicketCalls += 1;
    return ticketWith(
      this.notes.map((n) => ({ id: n.id, authorId: '8447388090000', author: null, public: false, incoming: false, bodyText: n.html.replace(/<[^>]+>/g, ' '), bodyHtml: n.html, createdAt: '2026-12-01T10:01:00.000Z' })),
    );
  }
}

class FakeJira implements Partial<JiraClientApi> {
  transitions: JiraTransition[] = [];
  done: string[] = [];
  comments: string[] = [];

  async listTransitions(): Promise<JiraTransition[]> {
    return this.transitions;
  }

  async doTransition(_key: string, id: string): Promise<void> {
    this.done.push(id);
  }

  async addComment(): Promise<{ id: string }> {
    this.comments.push('c');
    return { id: String(20000 + this.comments.length) };
  }

  async getIssue(): Promise<JiraIssue> {
    return issueIn('Completed');
  }
}

function rig() {
  let at = new Date('2026-12-01T10:00:00Z');
  const store = new SqliteStore(':memory:');
  const helpdesk = new FakeHelpdesk();
  const jira = new FakeJira();
  const clients = { helpdesk: () => helpdesk, jira: () => jira } as unknown as VendorClients;
  const executor = new Executor({ store, clients, settleMs: 30_000, now: () => at });
  return { store, helpdesk, jira, executor, advance: (ms: number) => (at = new Date(at.getTime() + ms)) };
}

const KEY = 'M1:default:10002:comment:10500';
const note: WriteAction = { kind: 'helpdesk.note', key: KEY, rule: 'M1', ticket: TICKET, html: signNote('<p>Problem is solved</p>', 'M1', refFor(KEY)) };

describe('Executor', () => {
  it('writes once per key and records the vendor id of the result in the ledger', async () => {
    const r = rig();
    expect(await r.executor.run(note, { logger })).toEqual({ status: 'written', resultId: '9000' });
    expect(await r.executor.run(note, { logger })).toEqual({ status: 'skipped', resultId: '9000' });
    expect(r.helpdesk.notes).toHaveLength(1);
    expect(await r.store.findWriteByResult('zendesk', 'default', '9000')).toMatchObject({ idempotencyKey: KEY, ruleId: 'M1', state: 'done', kind: 'helpdesk.note' });
    expect(refOf(r.helpdesk.notes[0]?.html ?? '')).toBe(refFor(KEY));
  });

  it('a timeout after the vendor did the work: the retry finds the note by its ref instead of writing a second one', async () => {
    const r = rig();
    r.helpdesk.failNext = { err: vendorError('timeout', null), afterWork: true };
    await expect(r.executor.run(note, { logger })).rejects.toThrow();
    expect((await r.store.getExecutedAction(KEY))?.state).toBe('started');
    const found = await r.executor.run(note, { logger });
    expect(found).toEqual({ status: 'found', resultId: '9000' });
    expect(r.helpdesk.notes).toHaveLength(1);
    expect(await r.store.findWriteByResult('zendesk', 'default', '9000')).not.toBeNull();
  });

  it('a write whose outcome is unknown and not found waits out the settle time, then is made once', async () => {
    const r = rig();
    r.helpdesk.failNext = { err: vendorError('server', 503), afterWork: false };
    await expect(r.executor.run(note, { logger })).rejects.toThrow();
    await expect(r.executor.run(note, { logger })).rejects.toBeInstanceOf(WriteInFlightError);
    r.advance(31_000);
    expect(await r.executor.run(note, { logger })).toMatchObject({ status: 'written' });
    expect(await r.executor.run(note, { logger })).toMatchObject({ status: 'skipped' });
    expect(r.helpdesk.notes).toHaveLength(1);
  });

  it('a write the vendor refused (4xx) frees its key: the next attempt writes at once', async () => {
    const r = rig();
    r.helpdesk.failNext = { err: vendorError('client', 422), afterWork: false };
    await expect(r.executor.run(note, { logger })).rejects.toThrow();
    expect(await r.store.getExecutedAction(KEY)).toBeNull();
    expect(await r.executor.run(note, { logger })).toMatchObject({ status: 'written' });
  });

  it.each([
    ['a 429', () => vendorError('rate_limited', 429)],
    ['an open circuit (nothing was sent)', () => new CircuitOpenError('zendesk', 'default', 'outage', new Date('2026-12-01T10:00:05Z'))],
  ])('a write stopped by %s frees its key: the next attempt writes at once, without looking for it first', async (_what, err) => {
    const r = rig();
    const fail = err();
    r.helpdesk.addPrivateNote = async () => Promise.reject(fail);
    await expect(r.executor.run(note, { logger })).rejects.toBe(fail);
    expect(await r.store.getExecutedAction(KEY)).toBeNull();
    r.helpdesk.addPrivateNote = FakeHelpdesk.prototype.addPrivateNote.bind(r.helpdesk);
    expect(await r.executor.run(note, { logger })).toMatchObject({ status: 'written' });
    expect(r.helpdesk.getTicketCalls).toBe(0);
  });

  it('a note posted whose tag update then failed is recorded as written: the retry does not post it again', async () => {
    const r = rig();
    const tagFailure = vendorError('rate_limited', 429);
    r.helpdesk.addPrivateNote = async () => Promise.reject(new PartialWriteError('9000', tagFailure));
    await expect(r.executor.run(note, { logger })).rejects.toBe(tagFailure);
    expect(await r.store.getExecutedAction(KEY)).toMatchObject({ state: 'done', resultId: '9000' });
    r.helpdesk.addPrivateNote = FakeHelpdesk.prototype.addPrivateNote.bind(r.helpdesk);
    expect(await r.executor.run(note, { logger })).toEqual({ status: 'skipped', resultId: '9000' });
    expect(r.helpdesk.notes).toHaveLength(0);
  });

  it('an answer that lacks what we expected does not undo the write: recorded, never repeated', async () => {
    const r = rig();
    r.helpdesk.failNext = { err: vendorError('invalid_response', 200), afterWork: true };
    expect(await r.executor.run(note, { logger })).toEqual({ status: 'written', resultId: null });
    expect(await r.executor.run(note, { logger })).toMatchObject({ status: 'skipped' });
    expect(r.helpdesk.notes).toHaveLength(1);
  });

  describe('jira.transition (M4)', () => {
    const reopen = (toStatuses: string[]): WriteAction => ({ kind: 'jira.transition', key: `M4:zendesk:default:5158:${toStatuses.join()}`, rule: 'M4', ticket: TICKET, issue: ISSUE, toStatuses });
    const t = (id: string, to: string): JiraTransition => ({ id, name: `to ${to}`, to: { id: `s${id}`, name: to, categoryKey: null } });

    it('is found by its target status, case-insensitively, in the order of preference', async () => {
      const r = rig();
      r.jira.transitions = [t('31', 'Closed'), t('41', 'IN PROGRESS'), t('51', 'Work in progress')];
      expect(await r.executor.run(reopen(['Work in progress', 'In Progress']), { logger })).toEqual({ status: 'written', resultId: 'Work in progress' });
      expect(r.jira.done).toEqual(['51']);
      const r2 = rig();
      r2.jira.transitions = [t('31', 'Closed'), t('41', 'IN PROGRESS')];
      expect(await r2.executor.run(reopen(['Work in progress', 'In Progress']), { logger })).toEqual({ status: 'written', resultId: 'IN PROGRESS' });
      expect(r2.jira.done).toEqual(['41']);
    });

    it('without a transition to any of the statuses, it is recorded as impossible and never retried', async () => {
      const r = rig();
      r.jira.transitions = [t('31', 'Closed')];
      const action = reopen(['Work in progress']);
      expect(await r.executor.run(action, { logger })).toMatchObject({ status: 'impossible', reason: expect.stringContaining('offers: Closed') });
      expect(await r.executor.run(action, { logger })).toMatchObject({ status: 'skipped' });
      expect(r.jira.done).toEqual([]);
    });
  });
});
