import type { SlaState } from '../../src/domain/sla';
import type { EntityRef, JiraIssue, Ticket } from '../../src/domain/ticket';
import type { AuditFacts, AuditPairFilter, Decision, EntitySnapshot, Handoff, SlaRecord, Store, TicketOwner, Verdict } from '../../src/store/types';
import { describeEachStore } from '../helpers/stores';

/**
 * The audit's reads of the Store (A1) on every store kind (test/helpers/stores.ts): SQLite in
 * memory, SQLite on its own thread, PostgreSQL in a schema of its own per store (skipped
 * locally without a server, failing in CI). Everything is written through the Store's own
 * write methods, as the workers write it.
 */

/** 22:00 UTC: the first pair's trail runs past midnight into the next UTC day. */
const T0 = new Date('2025-03-03T22:00:00.000Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const at = (offsetMs: number) => new Date(T0.getTime() + offsetMs);

const fd = (id: string, connectionId = 'default'): EntityRef => ({ vendor: 'freshdesk', connectionId, id });
const zd = (id: string, connectionId = 'default'): EntityRef => ({ vendor: 'zendesk', connectionId, id });
const key = (r: EntityRef) => `${r.vendor}/${r.connectionId}/${r.id}`;

// The pairs, in the stores' order (text byte by byte: '10' < '9', 'default' < 'eu', freshdesk < zendesk).
/** Escalated, handed back after midnight, E2 violation, H3 corrected, E5 violation then ok, T1 ok, M6 info. */
const P1 = fd('10');
/** Linked; its ticket was deleted at the helpdesk (the snapshot says so); only T1 ok and M6 ok decisions. */
const P2 = fd('9');
/** Still creating (the Jira raise under way): no issue yet. H3 violation, a consult. */
const P3 = fd('100', 'eu');
/** Linked to an issue of the second Jira site; escalated; E2 violation after midnight. */
const P4 = zd('4711');
/** Linked, nothing else kept. */
const P5 = zd('12', 'partner-b');
const PAIRS = [P1, P2, P3, P4, P5];
/** Tickets without a link: their trail is no pair's ('1' is a prefix of P1's id). */
const LONE = fd('1');
const UNLINKED = fd('5');

function ticketData(ref: EntityRef, over: Partial<Ticket> = {}): Ticket {
  const vendor = ref.vendor === 'zendesk' ? 'zendesk' : 'freshdesk';
  const url = vendor === 'zendesk' ? `https://acme.zendesk.com/agent/tickets/${ref.id}` : `https://acme.freshdesk.com/a/tickets/${ref.id}`;
  return {
    vendor,
    connectionId: ref.connectionId,
    id: ref.id,
    url,
    subject: `Export to CSV fails for ticket ${ref.id}`,
    descriptionText: 'Exporting the March report gives a 500 error.',
    descriptionHtml: '<p>Exporting the March report gives a 500 error.</p>',
    status: 'open',
    vendorStatus: vendor === 'zendesk' ? 'open' : '2',
    priority: 'high',
    type: 'Problem',
    groupId: 'l1-support',
    assigneeId: 'agent-3',
    requester: { id: `req-${ref.id}`, name: 'Dana Smith', email: 'dana@customer.example', role: 'end-user', organisationId: 'org-1' },
    organisation: { id: 'org-1', name: 'Customer Ltd', domains: ['customer.example'] },
    tags: ['export', 'jira'],
    customFields: { cf_product: 'Reports' },
    createdAt: T0.toISOString(),
    updatedAt: at(2 * HOUR).toISOString(),
    comments: [
      {
        id: `c-${ref.id}-1`,
        authorId: `req-${ref.id}`,
        author: null,
        public: true,
        incoming: true,
        bodyText: 'The export still fails.',
        bodyHtml: '<p>The export still fails.</p>',
        createdAt: T0.toISOString(),
      },
    ],
    ...over,
  };
}

function issueData(connectionId: string, id: string, issueKey: string, over: Partial<JiraIssue> = {}): JiraIssue {
  return {
    connectionId,
    id,
    key: issueKey,
    url: `https://${connectionId}.atlassian.net/browse/${issueKey}`,
    summary: 'Export to CSV fails',
    status: { id: '3', name: 'In Progress', categoryKey: 'indeterminate' },
    issueType: 'Bug',
    priority: 'High',
    labels: ['helpdesk'],
    assigneeAccountId: '5b10ac8d82e05b22cc7d4ef5',
    resolution: null,
    created: at(MIN).toISOString(),
    updated: at(3 * HOUR).toISOString(),
    comments: [{ id: '10100', authorAccountId: '5b10ac8d82e05b22cc7d4ef5', authorName: 'Sam Dev', bodyText: 'Reproduced.', public: true, created: at(HOUR).toISOString(), updated: at(HOUR).toISOString() }],
    ...over,
  };
}

function snapshot(ref: EntityRef, data: unknown, savedAt: Date, deleted = false): EntitySnapshot {
  return { ref, data, vendorUpdatedAt: savedAt.toISOString(), savedAt, deleted };
}

function slaState(note: string): SlaState {
  return {
    history: { createdAt: T0.toISOString(), statuses: [{ at: T0.toISOString(), status: 'open' }], firstResponseAt: null, priority: 'high', basis: 'event' },
    trackedSince: T0.toISOString(),
    targets: [],
    computedAt: at(HOUR).toISOString(),
    calendar: note,
    escalations: [],
    fix: null,
  };
}

function handoff(ticket: EntityRef, when: Date, direction: Handoff['direction'], from: string | null, to: string | null): Handoff {
  return { ticket, at: when, actorId: 'agent-3', direction, fromGroupId: from, toGroupId: to, fromAssigneeId: 'agent-3', toAssigneeId: null, commentId: null };
}

const flagged = (v: Verdict) => v === 'violation' || v === 'corrected';
const mattersToLead = (d: Decision) => flagged(d.verdict) || d.ruleId === 'E5' || d.ruleId === 'M6';

interface Written {
  /** Decision ids by a name of ours. */
  ids: Record<string, number>;
}

/** The whole scene, written as the workers write it. */
async function writeScene(store: Store): Promise<Written> {
  const ids: Record<string, number> = {};
  const decide = async (name: string, ticket: EntityRef, ruleId: string, verdict: Verdict, when: Date) => {
    ids[name] = await store.recordDecision({
      ticket,
      ruleId,
      verdict,
      actorId: 'agent-3',
      at: when,
      summary: `${ruleId} ${verdict} on ${key(ticket)}`,
      actions: verdict === 'corrected' ? [{ kind: 'reassign', toGroupId: 'l2-support' }] : [],
      eventId: null,
      key: `test:${name}`,
    });
  };

  // P1: raised at T0, linked a minute later.
  expect(await store.reserveLink(P1, 'default', T0)).toBe(true);
  await store.completeLink(P1, { issueId: '10020', issueKey: 'SUP-20', kind: 'bug', missing: ['environment'] }, at(MIN));
  await store.saveSnapshot(snapshot(P1, ticketData(P1, { groupId: 'l2-support' }), at(2 * HOUR)));
  await store.saveSnapshot(snapshot({ vendor: 'jira', connectionId: 'default', id: '10020' }, issueData('default', '10020', 'SUP-20'), at(3 * HOUR)));
  await store.setOwner({ ticket: P1, ownerId: 'agent-3', ownerGroupId: 'l1-support', since: T0, claimedAt: at(2 * MIN) });
  await store.saveSla({ ticket: P1, state: slaState('p1'), open: true, nextCheckAt: at(6 * HOUR), updatedAt: at(HOUR) });
  await decide('p1-t1', P1, 'T1', 'ok', at(2 * MIN));
  await decide('p1-e2', P1, 'E2', 'violation', at(5 * MIN));
  await store.appendHandoff(handoff(P1, at(10 * MIN), 'escalate', 'l1-support', 'l2-support'));
  // Midnight exactly: 2025-03-04T00:00:00.000Z is the next day.
  await store.appendHandoff(handoff(P1, at(2 * HOUR), 'handback', 'l2-support', 'l1-support'));
  await decide('p1-h3', P1, 'H3', 'corrected', at(2 * HOUR + MIN));
  await decide('p1-e5-violation', P1, 'E5', 'violation', at(3 * HOUR));
  await decide('p1-e5-ok', P1, 'E5', 'ok', at(4 * HOUR));
  await decide('p1-m6', P1, 'M6', 'info', at(5 * HOUR));

  // P2: raised at 23:00, linked; the ticket was deleted since.
  expect(await store.reserveLink(P2, 'default', at(HOUR))).toBe(true);
  await store.completeLink(P2, { issueId: '10021', issueKey: 'SUP-21', kind: 'request', missing: [] }, at(HOUR + MIN));
  await store.saveSnapshot(snapshot(P2, ticketData(P2, { status: 'closed', vendorStatus: '5' }), at(HOUR + 30 * MIN), true));
  await store.saveSnapshot(snapshot({ vendor: 'jira', connectionId: 'default', id: '10021' }, issueData('default', '10021', 'SUP-21', { issueType: 'Task' }), at(HOUR + 2 * MIN)));
  await decide('p2-t1', P2, 'T1', 'ok', at(HOUR + MIN));
  await decide('p2-m6', P2, 'M6', 'ok', at(HOUR + 2 * MIN));

  // P3: raised at midnight exactly, still creating.
  expect(await store.reserveLink(P3, 'default', at(2 * HOUR))).toBe(true);
  await store.saveSnapshot(snapshot(P3, ticketData(P3, { priority: 'urgent' }), at(2 * HOUR)));
  await store.saveSla({ ticket: P3, state: slaState('p3'), open: true, nextCheckAt: null, updatedAt: at(2 * HOUR) });
  await decide('p3-h3', P3, 'H3', 'violation', at(2 * HOUR + 5 * MIN));
  await store.appendHandoff(handoff(P3, at(2 * HOUR + 10 * MIN), 'consult', 'l1-support', 'billing'));

  // P4: a Zendesk ticket raised on the second Jira site, the next evening.
  expect(await store.reserveLink(P4, 'jira-b', at(25 * HOUR))).toBe(true);
  await store.completeLink(P4, { issueId: '20001', issueKey: 'OPS-7', kind: 'bug', missing: [] }, at(25 * HOUR + MIN));
  await store.saveSnapshot(snapshot(P4, ticketData(P4, { vendorStatus: 'open' }), at(25 * HOUR)));
  await store.saveSnapshot(snapshot({ vendor: 'jira', connectionId: 'jira-b', id: '20001' }, issueData('jira-b', '20001', 'OPS-7'), at(25 * HOUR + MIN)));
  // The same issue id on the other Jira site is another issue: not P4's.
  await store.saveSnapshot(snapshot({ vendor: 'jira', connectionId: 'default', id: '20001' }, issueData('default', '20001', 'SUP-99'), at(25 * HOUR)));
  await store.setOwner({ ticket: P4, ownerId: 'zd-agent-9', ownerGroupId: null, since: at(25 * HOUR), claimedAt: null });
  await store.appendHandoff(handoff(P4, at(25 * HOUR + 30 * MIN), 'escalate', 'tier-1', 'tier-2'));
  await decide('p4-e2', P4, 'E2', 'violation', at(26 * HOUR + 30 * MIN));

  // P5: raised at midnight of the third day; nothing else kept.
  expect(await store.reserveLink(P5, 'default', at(26 * HOUR))).toBe(true);
  await store.completeLink(P5, { issueId: '10030', issueKey: 'SUP-30', kind: 'request', missing: [] }, at(26 * HOUR + MIN));

  // Tickets without a link: a trail of their own, the day before and days after.
  await store.saveSnapshot(snapshot(LONE, ticketData(LONE), T0));
  await store.setOwner({ ticket: LONE, ownerId: 'agent-1', ownerGroupId: 'l1-support', since: T0, claimedAt: T0 });
  await store.appendHandoff(handoff(LONE, at(-24 * HOUR), 'escalate', 'l1-support', 'l2-support'));
  await decide('lone-e1', LONE, 'E1', 'violation', at(-24 * HOUR + MIN));
  await store.appendHandoff(handoff(LONE, at(5 * 24 * HOUR), 'escalate', 'l1-support', 'managers'));
  await decide('unlinked-e2', UNLINKED, 'E2', 'violation', at(3 * HOUR + 30 * MIN));
  return { ids };
}

async function walk(store: Store, filter: Omit<AuditPairFilter, 'after' | 'limit'>, limit: number): Promise<string[]> {
  const out: string[] = [];
  let after: EntityRef | undefined;
  for (let i = 0; i < 50; i++) {
    const page = await store.listAuditPairs({ ...filter, limit, ...(after ? { after } : {}) });
    expect(page.length).toBeLessThanOrEqual(limit);
    out.push(...page.map((p) => key(p.link.ticket)));
    if (page.length < limit) return out;
    after = page[page.length - 1]?.link.ticket;
  }
  throw new Error('paging did not end');
}

describeEachStore('store: the audit (A1)', (makeStore) => {
  let store: Store;
  let written: Written;
  beforeEach(async () => {
    store = makeStore();
    written = await writeScene(store);
  });
  afterEach(async () => {
    await store.close();
  });

  describe('listAuditPairs', () => {
    it('lists the linked and creating pairs in (vendor, connection, ticket id) order, ids as text byte by byte', async () => {
      const pairs = await store.listAuditPairs({ limit: 100 });
      expect(pairs.map((p) => key(p.link.ticket))).toEqual(PAIRS.map(key));
      expect(pairs.map((p) => p.link.state)).toEqual(['linked', 'linked', 'creating', 'linked', 'linked']);
    });

    it("returns each pair's facts as the single-ticket reads return them", async () => {
      const pairs = await store.listAuditPairs({ limit: 100 });
      for (const pair of pairs) {
        const ticket = pair.link.ticket;
        expect(pair.link).toEqual(await store.getLinkByTicket(ticket));
        expect(pair.ticket).toEqual(await store.getSnapshot(ticket));
        expect(pair.issue).toEqual(pair.link.issueId === null ? null : await store.getSnapshot({ vendor: 'jira', connectionId: pair.link.jiraConnectionId, id: pair.link.issueId }));
        expect(pair.owner).toEqual(await store.getOwner(ticket));
        expect(pair.sla).toEqual(await store.getSla(ticket));
        expect(pair.handoffs).toEqual(await store.listHandoffs(ticket));
        expect(pair.decisions).toEqual((await store.listDecisions({ ticket })).filter(mattersToLead));
      }
    });

    it('returns the realistic facts of an escalated pair: snapshots, owner, SLA, the trail and the decisions that matter', async () => {
      const [p1] = await store.listAuditPairs({ limit: 1 });
      const facts = p1 as AuditFacts;
      expect(facts.link).toMatchObject({ ticket: P1, jiraConnectionId: 'default', issueId: '10020', issueKey: 'SUP-20', state: 'linked', kind: 'bug', missing: ['environment'] });
      expect(facts.link.createdAt.toISOString()).toBe(T0.toISOString());
      expect(facts.link.updatedAt.toISOString()).toBe(at(MIN).toISOString());
      expect(facts.ticket).toEqual(snapshot(P1, ticketData(P1, { groupId: 'l2-support' }), at(2 * HOUR)));
      expect((facts.ticket?.data as Ticket).requester?.email).toBe('dana@customer.example');
      expect(facts.issue).toEqual(snapshot({ vendor: 'jira', connectionId: 'default', id: '10020' }, issueData('default', '10020', 'SUP-20'), at(3 * HOUR)));
      expect((facts.issue?.data as JiraIssue).key).toBe('SUP-20');
      const owner: TicketOwner = { ticket: P1, ownerId: 'agent-3', ownerGroupId: 'l1-support', since: T0, claimedAt: at(2 * MIN) };
      expect(facts.owner).toEqual(owner);
      const sla: SlaRecord = { ticket: P1, state: slaState('p1'), open: true, nextCheckAt: at(6 * HOUR), updatedAt: at(HOUR) };
      expect(facts.sla).toEqual(sla);
      expect(facts.handoffs.map((h) => [h.direction, h.fromGroupId, h.toGroupId, h.at.toISOString()])).toEqual([
        ['escalate', 'l1-support', 'l2-support', '2025-03-03T22:10:00.000Z'],
        ['handback', 'l2-support', 'l1-support', '2025-03-04T00:00:00.000Z'],
      ]);
      expect(facts.handoffs.every((h) => typeof h.id === 'number')).toBe(true);
      // Oldest first; T1's ok is left out; E5's ok and M6's info are in.
      expect(facts.decisions.map((d) => [d.ruleId, d.verdict])).toEqual([
        ['E2', 'violation'],
        ['H3', 'corrected'],
        ['E5', 'violation'],
        ['E5', 'ok'],
        ['M6', 'info'],
      ]);
      expect(facts.decisions.map((d) => d.id)).toEqual([written.ids['p1-e2'], written.ids['p1-h3'], written.ids['p1-e5-violation'], written.ids['p1-e5-ok'], written.ids['p1-m6']]);
      expect(facts.decisions[1]).toMatchObject({ actions: [{ kind: 'reassign', toGroupId: 'l2-support' }], summary: 'H3 corrected on freshdesk/default/10', key: 'test:p1-h3', eventId: null });
    });

    it('keeps a deleted ticket snapshot, a pair still creating without an issue, and a pair with nothing kept', async () => {
      const pairs = await store.listAuditPairs({ limit: 100 });
      const [, p2, p3, p4, p5] = pairs;
      expect(p2?.ticket?.deleted).toBe(true);
      expect((p2?.ticket?.data as Ticket).status).toBe('closed');
      expect((p2?.issue?.data as JiraIssue).issueType).toBe('Task');
      expect(p2?.decisions.map((d) => [d.ruleId, d.verdict])).toEqual([['M6', 'ok']]);
      expect(p2?.owner).toBeNull();
      expect(p2?.sla).toBeNull();
      expect(p2?.handoffs).toEqual([]);

      expect(p3?.link).toMatchObject({ ticket: P3, state: 'creating', issueId: null, issueKey: null, kind: null, missing: [] });
      expect(p3?.issue).toBeNull();
      expect((p3?.ticket?.data as Ticket).priority).toBe('urgent');
      expect(p3?.sla?.state.calendar).toBe('p3');
      expect(p3?.handoffs.map((h) => h.direction)).toEqual(['consult']);

      // The issue is the link's Jira site's, not the same id on another site.
      expect(p4?.link.jiraConnectionId).toBe('jira-b');
      expect((p4?.issue?.data as JiraIssue).key).toBe('OPS-7');
      expect(p4?.issue?.ref).toEqual({ vendor: 'jira', connectionId: 'jira-b', id: '20001' });
      expect(p4?.owner).toMatchObject({ ownerId: 'zd-agent-9', ownerGroupId: null, claimedAt: null });

      expect(p5).toMatchObject({ ticket: null, issue: null, owner: null, sla: null, handoffs: [], decisions: [] });
      expect(p5?.link.issueKey).toBe('SUP-30');
    });

    it("gives each pair of a page its own trail and decisions only, never another ticket's", async () => {
      const page = await store.listAuditPairs({ limit: 3 });
      expect(page.map((p) => key(p.link.ticket))).toEqual([P1, P2, P3].map(key));
      for (const pair of page) {
        for (const h of pair.handoffs) expect(h.ticket).toEqual(pair.link.ticket);
        for (const d of pair.decisions) expect(d.ticket).toEqual(pair.link.ticket);
        expect(pair.ticket?.ref).toEqual(pair.link.ticket);
        if (pair.owner) expect(pair.owner.ticket).toEqual(pair.link.ticket);
        if (pair.sla) expect(pair.sla.ticket).toEqual(pair.link.ticket);
      }
      expect(page.map((p) => p.handoffs.length)).toEqual([2, 0, 1]);
      expect(page.map((p) => p.decisions.map((d) => d.ruleId))).toEqual([['E2', 'H3', 'E5', 'E5', 'M6'], ['M6'], ['H3']]);
      // Ticket 1 (no link) has an owner, an escalation and a violation of its own: none shows on ticket 10.
      expect(page[0]?.owner?.ownerId).toBe('agent-3');
      expect(page[0]?.handoffs.some((h) => h.toGroupId === 'managers')).toBe(false);
      expect(page[0]?.decisions.some((d) => d.ruleId === 'E1')).toBe(false);
    });

    it('pages with a keyset, each pair once, in order, at every page size', async () => {
      for (const size of [1, 2, 3, 5, 6]) expect(await walk(store, {}, size)).toEqual(PAIRS.map(key));
      const first = await store.listAuditPairs({ limit: 2 });
      expect(first.map((p) => key(p.link.ticket))).toEqual([P1, P2].map(key));
      const second = await store.listAuditPairs({ limit: 2, after: P2 });
      expect(second.map((p) => key(p.link.ticket))).toEqual([P3, P4].map(key));
      expect((await store.listAuditPairs({ limit: 2, after: P4 })).map((p) => key(p.link.ticket))).toEqual([P5].map(key));
      expect(await store.listAuditPairs({ limit: 2, after: P5 })).toEqual([]);
      expect(await store.listAuditPairs({ limit: 0 })).toEqual([]);
    });

    it('takes `after` strictly, even a ticket without a link, across connections and vendors', async () => {
      const keys = async (filter: AuditPairFilter) => (await store.listAuditPairs(filter)).map((p) => key(p.link.ticket));
      // '100' < '9' byte-wise: after ticket 100 of default comes 9.
      expect(await keys({ limit: 10, after: fd('100') })).toEqual([P2, P3, P4, P5].map(key));
      expect(await keys({ limit: 10, after: fd('zz') })).toEqual([P3, P4, P5].map(key));
      expect(await keys({ limit: 1, after: { vendor: 'freshdesk', connectionId: 'zz', id: '' } })).toEqual([P4].map(key));
      // With a vendor (and connection) filter, `after` elsewhere: every selected pair before or after it.
      expect(await keys({ limit: 10, vendor: 'zendesk', after: fd('zz', 'zz') })).toEqual([P4, P5].map(key));
      expect(await keys({ limit: 10, vendor: 'freshdesk', after: zd('', '') })).toEqual([]);
      expect(await keys({ limit: 10, vendor: 'zendesk', connectionId: 'partner-b', after: zd('zz', 'default') })).toEqual([P5].map(key));
      expect(await keys({ limit: 10, vendor: 'zendesk', connectionId: 'default', after: zd('', 'partner-b') })).toEqual([]);
      expect(await keys({ limit: 10, vendor: 'freshdesk', connectionId: 'default', after: fd('10') })).toEqual([P2].map(key));
      expect(await keys({ limit: 10, vendor: 'freshdesk', after: fd('9') })).toEqual([P3].map(key));
    });

    it('filters by vendor, connection, when the link was made, and a rule with a violation or correction', async () => {
      const keys = async (filter: Omit<AuditPairFilter, 'limit'>) => (await store.listAuditPairs({ limit: 100, ...filter })).map((p) => key(p.link.ticket));
      expect(await keys({ vendor: 'zendesk' })).toEqual([P4, P5].map(key));
      expect(await keys({ vendor: 'jira' })).toEqual([]);
      expect(await keys({ connectionId: 'default' })).toEqual([P1, P2, P4].map(key));
      expect(await keys({ vendor: 'freshdesk', connectionId: 'eu' })).toEqual([P3].map(key));
      // linkedFrom inclusive, linkedTo exclusive.
      expect(await keys({ linkedFrom: at(HOUR), linkedTo: at(25 * HOUR) })).toEqual([P2, P3].map(key));
      expect(await keys({ linkedFrom: at(25 * HOUR) })).toEqual([P4, P5].map(key));
      expect(await keys({ linkedTo: at(HOUR) })).toEqual([P1].map(key));
      expect(await keys({ linkedFrom: at(HOUR), linkedTo: at(HOUR) })).toEqual([]);
      // A rule: pairs with a violation or a correction of it (a lone ticket's is no pair's).
      expect(await keys({ ruleId: 'E2' })).toEqual([P1, P4].map(key));
      expect(await keys({ ruleId: 'H3' })).toEqual([P1, P3].map(key));
      expect(await keys({ ruleId: 'E5' })).toEqual([P1].map(key));
      expect(await keys({ ruleId: 'T1' })).toEqual([]);
      expect(await keys({ ruleId: 'M6' })).toEqual([]);
      expect(await keys({ ruleId: 'E1' })).toEqual([]);
      // Together, and paged.
      expect(await keys({ ruleId: 'E2', vendor: 'zendesk', linkedFrom: at(24 * HOUR) })).toEqual([P4].map(key));
      expect(await keys({ ruleId: 'E2', connectionId: 'eu' })).toEqual([]);
      expect(await walk(store, { ruleId: 'H3' }, 1)).toEqual([P1, P3].map(key));
      expect(await walk(store, { connectionId: 'default' }, 2)).toEqual([P1, P2, P4].map(key));
      expect(await walk(store, { vendor: 'freshdesk', linkedFrom: at(HOUR) }, 1)).toEqual([P2, P3].map(key));
    });

    it('lists a pair again once its raise completes, and no longer once a failed raise is released', async () => {
      await store.completeLink(P3, { issueId: '10040', issueKey: 'SUP-40', kind: 'bug', missing: ['steps'] }, at(3 * HOUR));
      await store.saveSnapshot(snapshot({ vendor: 'jira', connectionId: 'default', id: '10040' }, issueData('default', '10040', 'SUP-40'), at(3 * HOUR)));
      const [p3] = await store.listAuditPairs({ limit: 1, vendor: 'freshdesk', connectionId: 'eu' });
      expect(p3?.link).toMatchObject({ state: 'linked', issueKey: 'SUP-40', missing: ['steps'] });
      expect((p3?.issue?.data as JiraIssue).key).toBe('SUP-40');

      expect(await store.reserveLink(fd('77'), 'default', at(4 * HOUR))).toBe(true);
      expect((await store.listAuditPairs({ limit: 100 })).map((p) => key(p.link.ticket))).toContain('freshdesk/default/77');
      await store.releaseLink(fd('77'));
      expect((await store.listAuditPairs({ limit: 100 })).map((p) => key(p.link.ticket))).toEqual(PAIRS.map(key));
    });
  });

  describe('listViolations', () => {
    /** Every violation and correction, newest (highest id: the order writeScene records them) first. */
    const allFlagged = () => ['unlinked-e2', 'lone-e1', 'p4-e2', 'p3-h3', 'p1-e5-violation', 'p1-h3', 'p1-e2'];

    it('lists violations and corrections of every ticket, newest first, never ok or info decisions', async () => {
      const all = await store.listViolations({ limit: 100 });
      const names = allFlagged();
      expect(all.map((d) => d.id)).toEqual(names.map((n) => written.ids[n]).sort((a, b) => (b ?? 0) - (a ?? 0)));
      expect(all.map((d) => d.id)).toEqual(names.map((n) => written.ids[n]));
      expect(all.every((d) => flagged(d.verdict))).toBe(true);
      expect(all.find((d) => d.id === written.ids['p1-h3'])).toEqual((await store.listDecisions({ ticket: P1, ruleId: 'H3' }))[0]);
      expect(all.find((d) => d.id === written.ids['p1-h3'])?.at.toISOString()).toBe('2025-03-04T00:01:00.000Z');
    });

    it('filters by vendor, connection, rule and time (from inclusive, to exclusive)', async () => {
      const names = async (filter: Parameters<Store['listViolations']>[0]) => {
        const byId = new Map(Object.entries(written.ids).map(([n, id]) => [id, n]));
        return (await store.listViolations(filter)).map((d) => byId.get(d.id as number));
      };
      expect(await names({ limit: 100, vendor: 'zendesk' })).toEqual(['p4-e2']);
      expect(await names({ limit: 100, vendor: 'jira' })).toEqual([]);
      expect(await names({ limit: 100, connectionId: 'eu' })).toEqual(['p3-h3']);
      expect(await names({ limit: 100, vendor: 'freshdesk', connectionId: 'default' })).toEqual(['unlinked-e2', 'lone-e1', 'p1-e5-violation', 'p1-h3', 'p1-e2']);
      expect(await names({ limit: 100, ruleId: 'H3' })).toEqual(['p3-h3', 'p1-h3']);
      expect(await names({ limit: 100, ruleId: 'E2' })).toEqual(['unlinked-e2', 'p4-e2', 'p1-e2']);
      expect(await names({ limit: 100, ruleId: 'T1' })).toEqual([]);
      expect(await names({ limit: 100, ruleId: 'M6' })).toEqual([]);
      expect(await names({ limit: 100, from: at(2 * HOUR + MIN) })).toEqual(['unlinked-e2', 'p4-e2', 'p3-h3', 'p1-e5-violation', 'p1-h3']);
      expect(await names({ limit: 100, from: at(2 * HOUR + MIN), to: at(3 * HOUR) })).toEqual(['p3-h3', 'p1-h3']);
      expect(await names({ limit: 100, to: at(5 * MIN) })).toEqual(['lone-e1']);
      expect(await names({ limit: 100, ruleId: 'E2', vendor: 'freshdesk', from: T0 })).toEqual(['unlinked-e2', 'p1-e2']);
    });

    it('pages with beforeId, and lists nothing with a limit of 0', async () => {
      const seen: number[] = [];
      let beforeId: number | undefined;
      for (let i = 0; i < 20; i++) {
        const page = await store.listViolations({ limit: 2, ...(beforeId !== undefined ? { beforeId } : {}) });
        expect(page.length).toBeLessThanOrEqual(2);
        seen.push(...page.map((d) => d.id as number));
        if (page.length < 2) break;
        beforeId = page[page.length - 1]?.id;
      }
      expect(seen).toEqual(allFlagged().map((n) => written.ids[n]));
      expect((await store.listViolations({ limit: 100, beforeId: written.ids['p4-e2'] })).map((d) => d.id)).toEqual(['p3-h3', 'p1-e5-violation', 'p1-h3', 'p1-e2'].map((n) => written.ids[n]));
      // Not a violation's id: the keyset is the id all the same.
      expect((await store.listViolations({ limit: 100, beforeId: written.ids['p1-e5-ok'] })).map((d) => d.id)).toEqual(['p1-e5-violation', 'p1-h3', 'p1-e2'].map((n) => written.ids[n]));
      expect((await store.listViolations({ limit: 1, ruleId: 'E2', beforeId: written.ids['p4-e2'] })).map((d) => d.id)).toEqual([written.ids['p1-e2']]);
      expect(await store.listViolations({ limit: 100, beforeId: written.ids['p1-e2'] })).toEqual([]);
      expect(await store.listViolations({ limit: 0 })).toEqual([]);
    });
  });

  describe('auditTimeline', () => {
    const day = (d: string, escalations: number, violations: number, raised: number) => ({ day: d, escalations, violations, raised });

    it('counts escalations, violations and raises per UTC day across midnight, leaving out days with none', async () => {
      expect(await store.auditTimeline({ from: new Date('2025-03-03T00:00:00.000Z'), to: new Date('2025-03-06T00:00:00.000Z') })).toEqual([
        // P1's escalation and E2 before midnight; P1 and P2 raised (22:00, 23:00).
        day('2025-03-03', 1, 1, 2),
        // P1's handback at 00:00 is no escalation; H3 corrected, E5, P3's H3, the unlinked E2; P3 raised at 00:00, P4 at 23:00 with its escalation.
        day('2025-03-04', 1, 4, 2),
        // P4's E2 at 00:30; P5 raised at 00:00.
        day('2025-03-05', 0, 1, 1),
      ]);
      expect(await store.auditTimeline({ from: new Date('2025-03-01T00:00:00.000Z'), to: new Date('2025-03-10T00:00:00.000Z') })).toEqual([
        day('2025-03-02', 1, 1, 0),
        day('2025-03-03', 1, 1, 2),
        day('2025-03-04', 1, 4, 2),
        day('2025-03-05', 0, 1, 1),
        // 03-06 and 03-07 have nothing; ticket 1's second escalation is on 03-08.
        day('2025-03-08', 1, 0, 0),
      ]);
    });

    it('takes [from, to) to the millisecond, and filters by vendor and connection', async () => {
      // `to` at P5's raise exactly: left out, and its day with it (P4's E2 at 00:30 is later too).
      expect(await store.auditTimeline({ from: new Date('2025-03-04T00:00:00.000Z'), to: at(26 * HOUR) })).toEqual([day('2025-03-04', 1, 4, 2)]);
      // `from` one ms after P3's raise at midnight.
      expect(await store.auditTimeline({ from: at(2 * HOUR + 1), to: new Date('2025-03-05T00:00:00.000Z') })).toEqual([day('2025-03-04', 1, 4, 1)]);
      expect(await store.auditTimeline({ from: T0, to: T0 })).toEqual([]);

      const wide = { from: new Date('2025-03-01T00:00:00.000Z'), to: new Date('2025-03-10T00:00:00.000Z') };
      expect(await store.auditTimeline({ ...wide, vendor: 'zendesk' })).toEqual([day('2025-03-04', 1, 0, 1), day('2025-03-05', 0, 1, 1)]);
      expect(await store.auditTimeline({ ...wide, connectionId: 'eu' })).toEqual([day('2025-03-04', 0, 1, 1)]);
      expect(await store.auditTimeline({ ...wide, vendor: 'freshdesk', connectionId: 'default' })).toEqual([
        day('2025-03-02', 1, 1, 0),
        day('2025-03-03', 1, 1, 2),
        day('2025-03-04', 0, 3, 0),
        day('2025-03-08', 1, 0, 0),
      ]);
      expect(await store.auditTimeline({ ...wide, vendor: 'jira' })).toEqual([]);
    });
  });
});
