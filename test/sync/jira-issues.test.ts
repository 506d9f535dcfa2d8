import { adfToText } from '../../src/jira/adf';
import type { AdfDocument } from '../../src/jira/types';
import { ISSUE_TYPES, PRIORITIES, type IssueRecord } from '../../src/sandbox/jira';
import { FreshdeskAgent, JiraUser, ZendeskAgent } from '../../src/sandbox/demo/actors';
import { FRESHDESK_AGENTS, FRESHDESK_GROUPS, FRESHDESK_REQUESTERS, JIRA_USERS, ZENDESK_AGENTS, ZENDESK_GROUPS, ZENDESK_REQUESTERS } from '../../src/sandbox/seed-people';
import { INTEGRATION_ACTORS } from '../../src/sandbox/world';
import type { Store, TicketLink } from '../../src/store/types';
import { CreateOutcomeUnknownError } from '../../src/sync/jira-issues';
import { WriteInFlightError } from '../../src/sync/executor';
import { CircuitOpenError } from '../../src/vendors/core/circuit';
import { VendorApiError } from '../../src/vendors/core/errors';
import { settled, startStack, type Stack } from '../e2e/stack';
import { World, jiraWith, type Helpdesk, type Rig } from './harness';

/**
 * JiraIssueHandler (rules J1-J5 of docs/rules.md) against the three sandboxes over loopback:
 * tickets are made by the demo's agents through the helpdesks' REST APIs, helpdesk-sync's side
 * is driven event by event through the real EventProcessor (or the Worker), and every check
 * reads the sandboxes' own state and call records.
 */

const typeName = (issue: IssueRecord) => ISSUE_TYPES.find((t) => t.id === issue.issueTypeId)?.name;
const priorityName = (issue: IssueRecord) => PRIORITIES.find((p) => p.id === issue.priorityId)?.name;
const descriptionText = (issue: IssueRecord) => (issue.description ? adfToText(issue.description as unknown as AdfDocument) : '');
const commentTexts = (issue: IssueRecord) => issue.comments.map((c) => adfToText(c.body as unknown as AdfDocument));
const ref = (vendor: Helpdesk, id: number) => ({ vendor, connectionId: 'default', id: String(id) });
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const COMPLETE_DESCRIPTION =
  '<div>Since this morning every invoice export stops after a minute with &quot;Request timed out&quot;.</div>' +
  '<h3>Steps to reproduce</h3><ol><li>Open <b>Reports</b> &gt; Invoices</li><li>Click <i>Export</i></li></ol>' +
  '<p><strong>Impact:</strong> all 40 finance users at Northwind &amp; partners</p>' +
  '<p>Environment: production EU, Chrome 126</p>';

let w: World;
beforeAll(async () => {
  w = await World.start();
});
afterAll(async () => w.close());

async function freshdeskTicket(fields: Record<string, unknown> = {}): Promise<number> {
  const t = await w.sam.createTicket({
    email: FRESHDESK_REQUESTERS.ana.email,
    subject: 'Invoice export fails with a timeout',
    description: COMPLETE_DESCRIPTION,
    priority: 3,
    status: 2,
    source: 1,
    type: 'Problem',
    group_id: FRESHDESK_GROUPS.clientSuccess.id,
    tags: ['jira-bug'],
    ...fields,
  });
  return t.id;
}

async function zendeskTicket(fields: Record<string, unknown> = {}): Promise<number> {
  const t = await w.dana.createTicket({
    subject: 'Energy dashboard shows no data since Monday',
    comment: {
      html_body:
        '<p>Our school dashboard has shown <b>no readings</b> since Monday.</p><p>Steps to reproduce: open the dashboard for site 12</p>' +
        '<p>Impact: 31 schools cannot report usage</p><p>Environment: dashboard v4.2, Edge</p>',
      public: true,
    },
    requester: { name: ZENDESK_REQUESTERS.maria.name, email: ZENDESK_REQUESTERS.maria.email },
    group_id: ZENDESK_GROUPS.aegentTier1.id,
    priority: 'urgent',
    type: 'problem',
    tags: ['jira-bug'],
    ...fields,
  });
  return t.id;
}

async function linkOf(rig: Rig, vendor: Helpdesk, id: number): Promise<TicketLink | null> {
  return rig.store.getLinkByTicket(ref(vendor, id));
}

describe('J1/J3 trigger', () => {
  it('J1/J3: tag jira-bug raises one Bug carrying the identity label', async () => {
    const rig = w.rig();
    const id = await freshdeskTicket();
    await w.process(rig, 'freshdesk', id);
    const issue = w.onlyIssue('freshdesk', id);
    expect(typeName(issue)).toBe('Bug');
    expect(issue.labels).toEqual(expect.arrayContaining([`hs-freshdesk-default-${id}`, 'helpdesk-sync', 'jira-bug']));
    expect(issue.labels).not.toContain('customer-request');
    expect(await linkOf(rig, 'freshdesk', id)).toMatchObject({ state: 'linked', issueKey: issue.key, kind: 'bug', missing: [] });
  });

  it('J1/J3: tag jira-request raises a Story labelled customer-request and senior-team-review', async () => {
    const rig = w.rig();
    const id = await zendeskTicket({ tags: ['jira-request'], subject: 'Please add CSV export of meter readings' });
    await w.process(rig, 'zendesk', id);
    const issue = w.onlyIssue('zendesk', id);
    expect(typeName(issue)).toBe('Story');
    expect(issue.labels).toEqual(expect.arrayContaining(['customer-request', 'senior-team-review', 'jira-request']));
    expect(issue.labels).not.toContain('needs-info');
  });

  it('J1: a ticket without a trigger raises nothing and costs Jira no call', async () => {
    const rig = w.rig();
    const id = await freshdeskTicket({ tags: ['billing'] });
    const since = Date.now();
    await w.process(rig, 'freshdesk', id);
    expect(w.issuesFor('freshdesk', id)).toHaveLength(0);
    expect(w.callsBy('jira', since)).toHaveLength(0);
    expect(await linkOf(rig, 'freshdesk', id)).toBeNull();
  });

  it('J1/J3: a configured custom-field trigger raises the matching kind', async () => {
    const rig = w.rig({
      overrides: { jiraIssues: { triggers: { customField: { field: 'cf_escalation_tier', bugValues: ['Bug'], requestValues: ['Feature request'] } } } },
    });
    const feature = await freshdeskTicket({ tags: [], custom_fields: { cf_escalation_tier: 'Feature request' } });
    const bug = await freshdeskTicket({ tags: [], custom_fields: { cf_escalation_tier: 'bug' } });
    const neither = await freshdeskTicket({ tags: [], custom_fields: { cf_escalation_tier: 'Question' } });
    for (const id of [feature, bug, neither]) await w.process(rig, 'freshdesk', id);
    expect(typeName(w.onlyIssue('freshdesk', feature))).toBe('Story');
    expect(typeName(w.onlyIssue('freshdesk', bug))).toBe('Bug');
    expect(w.issuesFor('freshdesk', neither)).toHaveLength(0);
  });

  it('J1: a configured group trigger raises a Bug for tickets in that group only', async () => {
    const rig = w.rig({ overrides: { jiraIssues: { triggers: { bugGroups: [String(FRESHDESK_GROUPS.appSupport.id)] } } } });
    const inGroup = await freshdeskTicket({ tags: [], group_id: FRESHDESK_GROUPS.appSupport.id });
    const elsewhere = await freshdeskTicket({ tags: [] });
    await w.process(rig, 'freshdesk', inGroup);
    await w.process(rig, 'freshdesk', elsewhere);
    expect(typeName(w.onlyIssue('freshdesk', inGroup))).toBe('Bug');
    expect(w.issuesFor('freshdesk', elsewhere)).toHaveLength(0);
  });
});

describe('J1 exactly one issue per ticket', () => {
  it('J1(a): redelivery, later events and the echo of our own note never raise a second issue', async () => {
    const rig = w.rig();
    const id = await freshdeskTicket();
    await w.process(rig, 'freshdesk', id);
    // The same delivery again, the echo of the note we wrote, and a later change by the agent.
    await w.process(rig, 'freshdesk', id);
    await w.process(rig, 'freshdesk', id);
    await w.sam.reply(id, '<p>We are on it.</p>');
    await w.process(rig, 'freshdesk', id);
    const issue = w.onlyIssue('freshdesk', id);
    expect(issue.remoteLinks).toHaveLength(1);
    expect(w.integrationNotes('freshdesk', id)).toHaveLength(1);
    const j1 = await rig.store.listDecisions({ ticket: ref('freshdesk', id), ruleId: 'J1' });
    expect(j1).toHaveLength(1);
  });

  it('J1(b): a create call that timed out after Jira made the issue is found by its identity label, not repeated', async () => {
    const rig = w.rig({ overrides: { vendorHttp: { timeoutMs: 150 } } });
    const id = await freshdeskTicket();
    const jira = w.sandboxes.jira.http;
    jira.faults.set({ latencyMs: 600 });
    let first: unknown;
    try {
      await w.process(rig, 'freshdesk', id);
    } catch (err) {
      first = err;
    } finally {
      jira.faults.clear();
    }
    expect(first).toBeInstanceOf(VendorApiError);
    expect((first as VendorApiError).kind).toBe('timeout');
    expect(await linkOf(rig, 'freshdesk', id)).toMatchObject({ state: 'creating' });

    // Jira has not finished yet, so search finds nothing: inside createSettleSeconds, no second create.
    await expect(w.process(rig, 'freshdesk', id)).rejects.toBeInstanceOf(CreateOutcomeUnknownError);
    expect(w.issuesFor('freshdesk', id)).toHaveLength(0);

    // Jira completes the create the client gave up on; the next attempt links that issue.
    for (let i = 0; i < 100 && w.issuesFor('freshdesk', id).length === 0; i++) await sleep(20);
    w.clock.advance(5_000);
    await w.process(rig, 'freshdesk', id);
    // A POST answered after the client hung up is never counted, so the sandbox's issues are the proof.
    const issue = w.onlyIssue('freshdesk', id);
    expect(await linkOf(rig, 'freshdesk', id)).toMatchObject({ state: 'linked', issueKey: issue.key });
    expect(issue.remoteLinks).toHaveLength(1);
    expect(w.integrationNotes('freshdesk', id)).toHaveLength(1);
  });

  it('J1(b): after createSettleSeconds the retry still looks before it creates', async () => {
    // createIssue does the work, then the answer is lost.
    const rig = w.rig({
      wrapJira: (inner) =>
        jiraWith(inner, {
          createIssue: async (input) => {
            await inner.createIssue(input);
            throw new VendorApiError({ vendor: 'jira', connectionId: 'default', operation: 'createIssue', method: 'POST', path: '/rest/api/3/issue', kind: 'timeout', status: null, vendorMessage: 'timeout of 150ms exceeded' });
          },
        }),
    });
    const id = await zendeskTicket();
    await expect(w.process(rig, 'zendesk', id)).rejects.toMatchObject({ kind: 'timeout' });
    w.clock.advance((rig.loaded.config.jiraIssues.createSettleSeconds + 1) * 1000);
    const healthy = w.rig({ store: rig.store });
    await w.process(healthy, 'zendesk', id);
    const issue = w.onlyIssue('zendesk', id);
    expect(await linkOf(healthy, 'zendesk', id)).toMatchObject({ state: 'linked', issueKey: issue.key });
  });

  it('J1(c): a crash between create and link (link left creating, issue in Jira) recovers to one issue', async () => {
    const first = w.rig();
    const crashing = new Proxy(first.store, {
      get(target, prop, receiver) {
        if (prop === 'completeLink') return () => Promise.reject(new Error('process killed'));
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as Store;
    const id = await freshdeskTicket();
    const dying = w.rig({ store: crashing });
    await expect(w.process(dying, 'freshdesk', id)).rejects.toThrow('process killed');
    expect(w.issuesFor('freshdesk', id)).toHaveLength(1);
    expect(await linkOf(first, 'freshdesk', id)).toMatchObject({ state: 'creating', issueKey: null });

    // The restarted process, still inside the settle window: found by label, linked, not recreated.
    const restarted = w.rig({ store: first.store });
    await w.process(restarted, 'freshdesk', id);
    const issue = w.onlyIssue('freshdesk', id);
    expect(await linkOf(restarted, 'freshdesk', id)).toMatchObject({ state: 'linked', issueKey: issue.key });
    expect(w.integrationNotes('freshdesk', id)).toHaveLength(1);
  });

  it('J1(c): a reservation whose create never reached Jira waits out createSettleSeconds, then creates once', async () => {
    const rig = w.rig();
    const id = await freshdeskTicket();
    await rig.store.reserveLink(ref('freshdesk', id), 'default', w.clock.now());
    await expect(w.process(rig, 'freshdesk', id)).rejects.toBeInstanceOf(CreateOutcomeUnknownError);
    expect(w.issuesFor('freshdesk', id)).toHaveLength(0);
    w.clock.advance((rig.loaded.config.jiraIssues.createSettleSeconds + 1) * 1000);
    await w.process(rig, 'freshdesk', id);
    w.onlyIssue('freshdesk', id);
    expect(await linkOf(rig, 'freshdesk', id)).toMatchObject({ state: 'linked' });
  });

  it('J1(c): a create the open circuit kept from being sent releases the reservation: the next attempt creates at once', async () => {
    const down = w.rig({
      wrapJira: (inner) =>
        jiraWith(inner, {
          createIssue: async () => Promise.reject(new CircuitOpenError('jira', 'default', 'outage', new Date(w.clock.now().getTime() + 4_000))),
        }),
    });
    const id = await freshdeskTicket();
    await expect(w.process(down, 'freshdesk', id)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(await linkOf(down, 'freshdesk', id)).toBeNull();
    // Jira is back: no createSettleSeconds wait, one issue.
    await w.process(w.rig({ store: down.store }), 'freshdesk', id);
    w.onlyIssue('freshdesk', id);
  });

  it('J1(d): two workers racing on the same ticket end with one issue', async () => {
    const a = w.rig();
    const b = w.rig({ store: a.store });
    const id = await zendeskTicket();
    const results = await Promise.allSettled([w.process(a, 'zendesk', id), w.process(b, 'zendesk', id)]);
    // One gets through; the other is told to retry (create outcome unknown, or the note in flight).
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThanOrEqual(1);
    for (const r of results) if (r.status === 'rejected') expect([CreateOutcomeUnknownError, WriteInFlightError]).toContain(r.reason.constructor);
    expect(w.issuesFor('zendesk', id)).toHaveLength(1);
    // The loser is retried later and finds the ticket linked.
    await w.process(b, 'zendesk', id);
    await w.process(a, 'zendesk', id);
    const issue = w.onlyIssue('zendesk', id);
    expect(issue.remoteLinks).toHaveLength(1);
    expect(w.integrationNotes('zendesk', id)).toHaveLength(1);
  });

  it('J1(d): a worker that finds the issue while the creator is still linking adds no second note', async () => {
    const store = w.rig().store;
    let release: () => void = () => undefined;
    const paused = new Promise<void>((resolve) => {
      release = resolve;
    });
    let created: () => void = () => undefined;
    const createdSignal = new Promise<void>((resolve) => {
      created = resolve;
    });
    // Worker A creates, then stalls (GC pause, lost lease) before it records the link.
    const a = w.rig({
      store,
      wrapJira: (inner) =>
        jiraWith(inner, {
          createIssue: async (input) => {
            const out = await inner.createIssue(input);
            created();
            await paused;
            return out;
          },
        }),
    });
    const b = w.rig({ store });
    const id = await freshdeskTicket();
    const slow = w.process(a, 'freshdesk', id);
    await createdSignal;
    const fast = w.process(b, 'freshdesk', id).finally(release);
    const results = await Promise.allSettled([slow, fast]);
    expect(results.map((r) => r.status)).toContain('fulfilled');
    await w.process(b, 'freshdesk', id);
    const issue = w.onlyIssue('freshdesk', id);
    expect(issue.remoteLinks).toHaveLength(1);
    expect(w.integrationNotes('freshdesk', id)).toHaveLength(1);
    const j1 = await store.listDecisions({ ticket: ref('freshdesk', id), ruleId: 'J1' });
    expect(j1.length).toBeGreaterThan(0);
    for (const d of j1) expect(d).toMatchObject({ verdict: 'ok', summary: expect.stringContaining(issue.key) });
  });

  it('J4: a note claim left by an attempt that died is honoured until createSettleSeconds, then the note is written once', async () => {
    const healthy = w.rig();
    const dying = new Proxy(healthy.store, {
      get(target, prop, receiver) {
        if (prop === 'recordExecutedAction') {
          return async (action: Parameters<Store['recordExecutedAction']>[0]) => {
            const claimed = await target.recordExecutedAction(action);
            if (action.kind === 'helpdesk.note') throw new Error('process killed after claiming the note');
            return claimed;
          };
        }
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as Store;
    const id = await freshdeskTicket();
    await expect(w.process(w.rig({ store: dying }), 'freshdesk', id)).rejects.toThrow('process killed');
    expect(w.integrationNotes('freshdesk', id)).toHaveLength(0);
    await expect(w.process(healthy, 'freshdesk', id)).rejects.toBeInstanceOf(WriteInFlightError);
    w.clock.advance((healthy.loaded.config.jiraIssues.createSettleSeconds + 1) * 1000);
    await w.process(healthy, 'freshdesk', id);
    await w.process(healthy, 'freshdesk', id);
    expect(w.integrationNotes('freshdesk', id)).toHaveLength(1);
    expect(w.issuesFor('freshdesk', id)).toHaveLength(1);
  });

  it('J1(e): a 400 from Jira releases the reservation and the error names the field', async () => {
    const broken = w.rig({ overrides: { jiraIssues: { priorityMap: { urgent: 'Blocker', high: 'Blocker', normal: 'Medium', low: 'Low' } } } });
    const id = await freshdeskTicket();
    await broken.store.enqueue({
      vendor: 'freshdesk',
      connectionId: 'default',
      entityKey: `ticket:${id}`,
      dedupeKey: `e-${id}`,
      dedupeWindowMs: null,
      eventType: 'ticket_created',
      source: 'webhook',
      payload: {},
      headers: {},
      receivedAt: w.clock.now(),
    });
    expect(await broken.worker.drain()).toBe(1);
    const [dead] = await broken.store.listDeadLetters();
    expect(dead?.error).toMatch(/400/);
    expect(dead?.error).toMatch(/priority/);
    expect(dead?.attempts).toBe(1);
    expect(await linkOf(broken, 'freshdesk', id)).toBeNull();
    expect(w.issuesFor('freshdesk', id)).toHaveLength(0);

    // Config fixed: the next event creates at once, no settle wait, exactly one issue.
    const fixed = w.rig({ store: broken.store });
    await w.process(fixed, 'freshdesk', id);
    expect(priorityName(w.onlyIssue('freshdesk', id))).toBe('High');
  });
});


describe('J1 on first sight: a ticket that already names its issue', () => {
  it('adopts the issue its jira:KEY tag names instead of raising a second, and J4 then links it', async () => {
    const rig = w.rig();
    const priya = new JiraUser(w.sandboxes.urls.jira, JIRA_USERS.priya.email, JIRA_USERS.priya.apiToken);
    const existing = await priya.createIssue({ project: { key: 'SUP' }, issuetype: { name: 'Bug' }, summary: 'Invoice export fails (raised by hand before helpdesk-sync)' });
    const id = await freshdeskTicket({ tags: ['jira-bug', `jira:${existing.key}`] });
    await w.process(rig, 'freshdesk', id);
    expect(w.issuesFor('freshdesk', id)).toHaveLength(0);
    expect(await rig.store.getLinkByTicket(ref('freshdesk', id))).toMatchObject({ state: 'linked', issueKey: existing.key, issueId: existing.id });
    const j1 = await rig.store.listDecisions({ ticket: ref('freshdesk', id), ruleId: 'J1' });
    expect(j1.map((d) => [d.verdict, d.summary])).toEqual([['info', expect.stringContaining(`Adopted ${existing.key}`)]]);
    await w.process(rig, 'freshdesk', id);
    expect(w.sandboxes.jira.remoteLinks(existing.key)).toHaveLength(1);
    expect([...w.sandboxes.jira.state.issues.values()].filter((i) => i.summary.includes(`(FD#${id})`))).toHaveLength(0);
  });
});

describe('J2 content', () => {
  it('J2: a Freshdesk bug carries every section, HTML turned into text, priority mapped, labels from config and tags', async () => {
    const rig = w.rig({ overrides: { jiraIssues: { labels: ['helpdesk-sync', 'from support'] } } });
    const id = await freshdeskTicket({ tags: ['jira-bug', 'Invoices'] });
    await w.sam.privateNote(id, '<div><p>Checked the logs: <code>ExportJob</code> hits the 60&nbsp;s gateway limit.</p><br><ul><li>first seen 08:10</li></ul></div>');
    await w.process(rig, 'freshdesk', id);
    const issue = w.onlyIssue('freshdesk', id);
    const text = descriptionText(issue);
    for (const heading of ['Requester', 'Internal contact', 'Ticket', 'Communication summary', 'Steps to reproduce', 'Impact', 'Environment', 'Escalation trail']) {
      expect(text).toContain(heading);
    }
    expect(text).toContain(FRESHDESK_REQUESTERS.ana.name);
    expect(text).toContain(FRESHDESK_REQUESTERS.ana.email);
    expect(text).toContain('Northwind Traders');
    expect(text).toContain(`FD#${id}`);
    expect(text).toContain('Invoice export fails with a timeout');
    // Bodies are text: entities decoded, no markup left.
    expect(text).toContain('"Request timed out"');
    expect(text).toContain('Northwind & partners');
    expect(text).toContain('ExportJob hits the 60');
    expect(text).toContain('Sam Ortiz');
    expect(text).toContain('private note');
    expect(text).not.toMatch(/<\/?(div|p|b|strong|code|li|ul)>|&amp;|&quot;|&nbsp;/);
    expect(text).not.toContain('Not provided');
    expect(text).toContain('Click Export');
    expect(text).toContain('production EU, Chrome 126');
    expect(issue.summary).toBe(`Invoice export fails with a timeout (FD#${id})`);
    expect(priorityName(issue)).toBe('High');
    expect(issue.labels).toEqual(expect.arrayContaining(['helpdesk-sync', 'from-support', 'jira-bug', 'invoices']));
    expect(issue.labels.some((l) => /\s/.test(l))).toBe(false);
  });

  it('J2: a Zendesk bug carries requester, organisation, the conversation and the sections; urgent becomes Highest', async () => {
    const rig = w.rig();
    const id = await zendeskTicket();
    await w.dana.comment(id, 'Looked at the ingest queue: it is empty since Monday 06:00.', false);
    await w.process(rig, 'zendesk', id);
    const issue = w.onlyIssue('zendesk', id);
    const text = descriptionText(issue);
    expect(text).toContain(ZENDESK_REQUESTERS.maria.name);
    expect(text).toContain(ZENDESK_REQUESTERS.maria.email);
    expect(text).toContain('York Catholic District School Board');
    expect(text).toContain(`ZD#${id}`);
    expect(text).toContain('Dana Fox');
    expect(text).toContain('Looked at the ingest queue');
    expect(text).toContain('no readings');
    expect(text).toContain('31 schools cannot report usage');
    expect(text).toContain('dashboard v4.2, Edge');
    expect(text).not.toContain('Not provided');
    expect(text).not.toMatch(/<\/?(p|b)>/);
    // The Zendesk description is its first comment: said once, not twice.
    expect(text.split('has shown no readings').length - 1).toBe(1);
    expect(priorityName(issue)).toBe('Highest');
    expect(issue.labels).not.toContain('needs-info');
  });
});

describe('J4 links both ways', () => {
  it.each(['freshdesk', 'zendesk'] as const)('J4 (%s): one remote link by globalId, one private note with key and URL, tag jira:KEY', async (vendor) => {
    const rig = w.rig();
    const id = vendor === 'freshdesk' ? await freshdeskTicket() : await zendeskTicket();
    for (let i = 0; i < 3; i++) await w.process(rig, vendor, id);
    const issue = w.onlyIssue(vendor, id);
    expect(issue.remoteLinks).toHaveLength(1);
    expect(issue.remoteLinks[0]).toMatchObject({ globalId: `helpdesk-sync:${vendor}:default:ticket:${id}`, object: { url: expect.stringContaining(String(id)) } });
    const notes = w.integrationNotes(vendor, id);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain(issue.key);
    expect(notes[0]).toContain(`${w.sandboxes.urls.jira}/browse/${issue.key}`);
    expect(w.tags(vendor, id).filter((t) => t.toLowerCase() === `jira:${issue.key}`.toLowerCase())).toHaveLength(1);
    // The trigger tag and the requester's tags are untouched.
    expect(w.tags(vendor, id)).toContain('jira-bug');
  });

  it('J4: keyStorage customField writes the key into the field and adds no key tag', async () => {
    const rig = w.rig({ overrides: { jiraIssues: { keyStorage: { kind: 'customField', field: 'cf_jira_key' } } } });
    const id = await freshdeskTicket();
    await w.process(rig, 'freshdesk', id);
    await w.process(rig, 'freshdesk', id);
    const issue = w.onlyIssue('freshdesk', id);
    expect(w.sandboxes.freshdesk.ticket(id)?.customFields.cf_jira_key).toBe(issue.key);
    expect(w.tags('freshdesk', id).some((t) => t.toLowerCase().startsWith('jira:'))).toBe(false);
    expect(w.integrationNotes('freshdesk', id)).toHaveLength(1);
  });
});

describe('J5 incomplete is visible, not blocking', () => {
  it('J5: a bug without steps, impact and environment is raised with needs-info; the sections arrive later in notes', async () => {
    const rig = w.rig();
    const id = await freshdeskTicket({ description: '<p>The invoice export is broken.</p>' });
    await w.process(rig, 'freshdesk', id);
    let issue = w.onlyIssue('freshdesk', id);
    expect(typeName(issue)).toBe('Bug');
    expect(issue.labels).toContain('needs-info');
    const [note] = w.integrationNotes('freshdesk', id);
    expect(note).toContain(issue.key);
    for (const missing of ['Steps to reproduce', 'Impact', 'Environment']) expect(note).toContain(missing);
    expect(await linkOf(rig, 'freshdesk', id)).toMatchObject({ missing: ['steps', 'impact', 'environment'] });

    // The echo of our own note (it names the headings) must not count as the owner's answer.
    await w.process(rig, 'freshdesk', id);
    issue = w.onlyIssue('freshdesk', id);
    expect(issue.comments).toHaveLength(0);
    expect(issue.labels).toContain('needs-info');
    expect(await linkOf(rig, 'freshdesk', id)).toMatchObject({ missing: ['steps', 'impact', 'environment'] });

    // Partial arrival: steps only. One comment, needs-info stays, the store's list shrinks.
    await w.sam.privateNote(id, '<p>Steps to reproduce:</p><ol><li>Open Reports</li><li>Export March invoices</li></ol>');
    await w.process(rig, 'freshdesk', id);
    issue = w.onlyIssue('freshdesk', id);
    expect(commentTexts(issue)).toHaveLength(1);
    expect(commentTexts(issue)[0]).toContain('Export March invoices');
    expect(issue.labels).toContain('needs-info');
    expect(await linkOf(rig, 'freshdesk', id)).toMatchObject({ missing: ['impact', 'environment'] });

    // The rest arrives: one more comment with exactly those, needs-info goes.
    await w.sam.privateNote(id, '<p>Impact: finance cannot close the month</p><p>Environment: production EU</p>');
    await w.process(rig, 'freshdesk', id);
    await w.process(rig, 'freshdesk', id);
    issue = w.onlyIssue('freshdesk', id);
    const comments = commentTexts(issue);
    expect(comments).toHaveLength(2);
    expect(comments[1]).toContain('finance cannot close the month');
    expect(comments[1]).toContain('production EU');
    expect(comments[1]).not.toContain('Export March invoices');
    expect(issue.labels).not.toContain('needs-info');
    expect(await linkOf(rig, 'freshdesk', id)).toMatchObject({ missing: [] });

    // Audit: J1 ok once; J5 violation at raise, violation on partial arrival, then ok.
    const decisions = await rig.store.listDecisions({ ticket: ref('freshdesk', id) });
    const j1 = decisions.filter((d) => d.ruleId === 'J1');
    const j5 = decisions.filter((d) => d.ruleId === 'J5').sort((x, y) => (x.id ?? 0) - (y.id ?? 0));
    expect(j1.map((d) => d.verdict)).toEqual(['ok']);
    expect(j5.map((d) => d.verdict)).toEqual(['violation', 'violation', 'ok']);
  });

  it('J5 (zendesk): all three headings in one private note give one comment and remove needs-info', async () => {
    const rig = w.rig();
    const id = await zendeskTicket({ comment: { body: 'The dashboard is empty.', public: true } });
    await w.process(rig, 'zendesk', id);
    expect(w.onlyIssue('zendesk', id).labels).toContain('needs-info');
    await w.dana.comment(id, 'Steps to reproduce:\nOpen site 12\n\nImpact:\n31 schools\n\nEnvironment:\nEdge, v4.2', false);
    await w.process(rig, 'zendesk', id);
    await w.process(rig, 'zendesk', id);
    const issue = w.onlyIssue('zendesk', id);
    expect(commentTexts(issue)).toHaveLength(1);
    expect(commentTexts(issue)[0]).toEqual(expect.stringContaining('Open site 12'));
    expect(commentTexts(issue)[0]).toEqual(expect.stringContaining('Edge, v4.2'));
    expect(issue.labels).not.toContain('needs-info');
    const j5 = await rig.store.listDecisions({ ticket: ref('zendesk', id), ruleId: 'J5' });
    expect(j5.map((d) => d.verdict).sort()).toEqual(['ok', 'violation']);
  });
});

/**
 * The call budget of a happy-path raise (ticket with fewer than 10 conversations), counted at
 * the sandboxes by helpdesk-sync's own credentials. `raise` is the event that raises the issue;
 * `echo` adds what the webhooks of our own writes cost afterwards (reads only, no writes).
 */
/**
 * Group names are read once per connection and cached for ten minutes: warm them, as a running
 * server has, then let the clock move on so the warm-up call (which can start and end within
 * one millisecond on loopback) is not counted as part of the raise.
 */
async function warmGroupNames(clients: { groupNames(vendor: Helpdesk, connectionId: string): Promise<Map<string, string>> }, vendor: Helpdesk): Promise<void> {
  await clients.groupNames(vendor, 'default');
  await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('call budget of a raise', () => {
  const budget = (calls: ReadonlyArray<{ method: string; endpoint: string }>) => calls.map((c) => `${c.method} ${c.endpoint}`).sort();

  it('J1-J4 budget, driven event by event: Freshdesk 1 read + 2 writes, Jira 2 writes', async () => {
    const rig = w.rig();
    const id = await freshdeskTicket();
    await warmGroupNames(rig.clients, 'freshdesk');
    const since = Date.now();
    await w.process(rig, 'freshdesk', id);
    const fd = budget(w.callsBy('freshdesk', since));
    const jira = budget(w.callsBy('jira', since));
    expect(jira).toEqual(['POST /rest/api/3/issue', 'POST /rest/api/3/issue/:idOrKey/remotelink']);
    expect(fd).toEqual(['GET /api/v2/tickets/:id', 'POST /api/v2/tickets/:id/notes', 'PUT /api/v2/tickets/:id']);
    expect(fd.length + jira.length).toBeLessThanOrEqual(5);
  });

  it('J1-J4 budget, driven event by event: Zendesk 2 reads + 1 write, Jira 2 writes', async () => {
    const rig = w.rig();
    const id = await zendeskTicket();
    await warmGroupNames(rig.clients, 'zendesk');
    const since = Date.now();
    await w.process(rig, 'zendesk', id);
    const zd = budget(w.callsBy('zendesk', since));
    const jira = budget(w.callsBy('jira', since));
    expect(jira).toEqual(['POST /rest/api/3/issue', 'POST /rest/api/3/issue/:idOrKey/remotelink']);
    expect(zd.filter((c) => c.startsWith('GET')).length).toBeLessThanOrEqual(2);
    expect(zd.filter((c) => !c.startsWith('GET'))).toEqual(['PUT /api/v2/tickets/:id.json']);
    expect(zd.length + jira.length).toBeLessThanOrEqual(5);
  });

  describe('through the real server and worker, from the agent action that fires the webhook', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack();
    });
    afterAll(async () => stack.stop());

    const integration = (vendor: Helpdesk | 'jira', since: number) =>
      stack.sandboxes[vendor].http.calls.since(since, { actor: INTEGRATION_ACTORS[vendor] }).map((c) => `${c.method} ${c.endpoint}`);

    it('J1-J4 budget (freshdesk): raise = 5 calls; with the echoes of our own writes at most 9, all extra ones reads', async () => {
      const sam = new FreshdeskAgent(stack.sandboxes.urls.freshdesk, FRESHDESK_AGENTS.samOrtiz.apiKey);
      await warmGroupNames(stack.service.clients, 'freshdesk');
      const since = Date.now();
      const { id } = await sam.createTicket({
        email: FRESHDESK_REQUESTERS.ana.email,
        subject: 'Invoice export fails with a timeout',
        description: COMPLETE_DESCRIPTION,
        priority: 3,
        status: 2,
        source: 1,
        type: 'Problem',
        group_id: FRESHDESK_GROUPS.clientSuccess.id,
        tags: ['jira-bug'],
      });
      await settled(stack);
      const label = `hs-freshdesk-default-${id}`;
      expect([...stack.sandboxes.jira.state.issues.values()].filter((i) => i.labels.includes(label))).toHaveLength(1);
      const fd = integration('freshdesk', since);
      const jira = integration('jira', since);
      const writes = [...fd, ...jira].filter((c) => !c.startsWith('GET'));
      expect(writes.sort()).toEqual(['POST /api/v2/tickets/:id/notes', 'POST /rest/api/3/issue', 'POST /rest/api/3/issue/:idOrKey/remotelink', 'PUT /api/v2/tickets/:id'].sort());
      // Measured: the raise reads once (ticket with embedded conversations); the two echo webhooks
      // (note, tag write) read the ticket again, one of them also the integration agent: 4 reads.
      expect(fd.filter((c) => c.startsWith('GET')).length).toBeLessThanOrEqual(4);
      // Jira's issue_created webhook is read back once (GET /issue) by the issue side of the worker.
      expect(jira.filter((c) => c.startsWith('GET')).length).toBeLessThanOrEqual(1);
      expect(fd.length + jira.length).toBeLessThanOrEqual(9);
    });

    it('J1-J4 budget (zendesk): raise = 5 calls; with the echoes of our own writes at most 10, all extra ones reads', async () => {
      const dana = new ZendeskAgent(stack.sandboxes.urls.zendesk, ZENDESK_AGENTS.danaFox.email, ZENDESK_AGENTS.danaFox.apiKey);
      await warmGroupNames(stack.service.clients, 'zendesk');
      const since = Date.now();
      const { id } = await dana.createTicket({
        subject: 'Energy dashboard shows no data since Monday',
        comment: { body: 'No readings since Monday.\n\nSteps to reproduce: open site 12\n\nImpact: 31 schools\n\nEnvironment: Edge', public: true },
        requester: { name: ZENDESK_REQUESTERS.maria.name, email: ZENDESK_REQUESTERS.maria.email },
        group_id: ZENDESK_GROUPS.aegentTier1.id,
        priority: 'urgent',
        tags: ['jira-bug'],
      });
      await settled(stack);
      const label = `hs-zendesk-default-${id}`;
      expect([...stack.sandboxes.jira.state.issues.values()].filter((i) => i.labels.includes(label))).toHaveLength(1);
      const zd = integration('zendesk', since);
      const jira = integration('jira', since);
      const writes = [...zd, ...jira].filter((c) => !c.startsWith('GET'));
      expect(writes.sort()).toEqual(['POST /rest/api/3/issue', 'POST /rest/api/3/issue/:idOrKey/remotelink', 'PUT /api/v2/tickets/:id.json'].sort());
      // Measured: the raise reads twice (show + comments); the one PUT fires two webhooks
      // (comment added, tags changed), each read again with two calls: 6 reads.
      expect(zd.filter((c) => c.startsWith('GET')).length).toBeLessThanOrEqual(6);
      expect(jira.filter((c) => c.startsWith('GET')).length).toBeLessThanOrEqual(1);
      expect(zd.length + jira.length).toBeLessThanOrEqual(10);
    });
  });
});
