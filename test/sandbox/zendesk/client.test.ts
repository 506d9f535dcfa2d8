import { ZENDESK_AGENTS, ZENDESK_GROUPS, ZENDESK_ORGANIZATIONS, ZENDESK_REQUESTERS } from '../../../src/sandbox/seed-people';
import { SEEDED_TICKETS, type ZendeskSandbox } from '../../../src/sandbox/zendesk';
import { api, clientFor, createTicket, startSandbox } from './helpers';

const MARIA = ZENDESK_REQUESTERS.maria;
const DANA = ZENDESK_AGENTS.danaFox;
const INTEGRATION = ZENDESK_AGENTS.integration;
const TIER1 = ZENDESK_GROUPS.aegentTier1.id;
const TIER2 = ZENDESK_GROUPS.tier2.id;

let sandbox: ZendeskSandbox;
let url: string;

beforeEach(async () => {
  ({ sandbox, url } = await startSandbox());
});

afterEach(async () => {
  await sandbox.close();
});

describe('ZendeskClient against the sandbox: getTicket', () => {
  it('reads a 150-comment ticket across two comment pages, oldest first, with requester and organisation', async () => {
    const id = await createTicket(url, 'danaFox', {
      subject: 'Meters offline at St. Luke',
      requester_id: MARIA.id,
      group_id: TIER1,
      comment: { body: 'comment 1' },
    });
    for (let n = 2; n <= 150; n += 1) {
      // Every third one is the requester's reply, played by the integration user as author_id.
      const comment = n % 3 === 0 ? { body: `comment ${n}`, author_id: MARIA.id } : { body: `comment ${n}`, public: n % 2 === 0 };
      const res = await api(url, n % 3 === 0 ? 'integration' : 'danaFox', 'PUT', `/api/v2/tickets/${id}.json`, { ticket: { comment } });
      expect(res.status).toBe(200);
    }
    sandbox.http.calls.reset();

    const ticket = await clientFor(url).getTicket(String(id));

    expect(ticket.comments).toHaveLength(150);
    expect(ticket.comments.map((c) => c.bodyText)).toEqual(Array.from({ length: 150 }, (_, i) => `comment ${i + 1}`));
    const ids = ticket.comments.map((c) => BigInt(c.id));
    expect(ids.every((v, i) => i === 0 || v > (ids[i - 1] ?? 0n))).toBe(true);
    expect(ticket.comments[2]).toMatchObject({ authorId: String(MARIA.id), incoming: true, public: true });
    expect(ticket.comments[2]?.author?.name).toBe('Maria Keller');
    expect(ticket.comments[4]).toMatchObject({ authorId: String(DANA.id), incoming: false, public: false });
    expect(ticket.requester).toMatchObject({ id: String(MARIA.id), email: MARIA.email, role: 'end-user' });
    expect(ticket.organisation).toEqual({ id: String(ZENDESK_ORGANIZATIONS.ycdsb.id), name: ZENDESK_ORGANIZATIONS.ycdsb.name, domains: ['ycdsb.on.ca'] });
    expect(ticket).toMatchObject({ subject: 'Meters offline at St. Luke', descriptionText: 'comment 1', groupId: String(TIER1), status: 'open', vendorStatus: 'new' });
    expect(sandbox.http.calls.byEndpoint()).toEqual({ 'GET /api/v2/tickets/:id.json': 1, 'GET /api/v2/tickets/:id/comments.json': 2 });
  });

  it('answers page[size] above 100 with 400 and a next link that walks the pages', async () => {
    const tooBig = await api(url, 'danaFox', 'GET', `/api/v2/tickets/${SEEDED_TICKETS.dashboardNoData}/comments.json?page[size]=101`);
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.error).toBe('InvalidPaginationParameter');

    const first = await api(url, 'danaFox', 'GET', `/api/v2/tickets/${SEEDED_TICKETS.dashboardNoData}/comments.json?page[size]=1`);
    expect(first.body.meta).toMatchObject({ has_more: true });
    const next = (first.body.links as { next: string }).next;
    expect(next.startsWith(url)).toBe(true);
    const second = await api(url, 'danaFox', 'GET', next.slice(url.length));
    expect((second.body.comments as Array<{ body: string }>).map((c) => c.body)).toEqual(['Thanks Maria, we are looking into it.']);
    expect(second.body.meta).toMatchObject({ has_more: false });
  });
});

describe('ZendeskClient against the sandbox: writes', () => {
  it('addPrivateNote posts a private HTML comment attributed to the integration user and returns its id', async () => {
    const note = await clientFor(url).addPrivateNote(String(SEEDED_TICKETS.dashboardNoData), '<p>Escalated to Jira: <a href="https://x/browse/SUP-1">SUP-1</a></p>');

    const last = sandbox.comments(SEEDED_TICKETS.dashboardNoData).at(-1);
    expect(last).toMatchObject({ id: Number(note.id), public: false, authorId: INTEGRATION.id, body: 'Escalated to Jira: SUP-1' });
    expect(last?.htmlBody).toContain('<a href="https://x/browse/SUP-1">SUP-1</a>');
  });

  it('addPrivateNote with an empty body fails: Zendesk drops the comment and the answer has no Comment event', async () => {
    await expect(clientFor(url).addPrivateNote(String(SEEDED_TICKETS.dashboardNoData), '   ')).rejects.toMatchObject({ kind: 'invalid_response' });
    expect(sandbox.comments(SEEDED_TICKETS.dashboardNoData)).toHaveLength(2);
  });

  it('updateTicket sets group and status, adds and removes tags, then clears the assignee', async () => {
    const client = clientFor(url);
    const id = String(SEEDED_TICKETS.dashboardNoData);
    const before = sandbox.ticket(SEEDED_TICKETS.dashboardNoData)?.updatedAt ?? '';
    sandbox.http.calls.reset();

    await client.updateTicket(id, { status: 'pending', tags: { add: ['jira-bug', 'Tier2'], remove: ['dashboard'] } });

    expect(sandbox.ticket(SEEDED_TICKETS.dashboardNoData)).toMatchObject({ status: 'pending', tags: ['jira-bug', 'tier2'], assigneeId: DANA.id });
    expect(sandbox.http.calls.byEndpoint()).toEqual({
      'PUT /api/v2/tickets/:id.json': 1,
      'PUT /api/v2/tickets/:id/tags.json': 1,
      'DELETE /api/v2/tickets/:id/tags.json': 1,
    });

    await client.updateTicket(id, { assigneeId: null });
    const after = sandbox.ticket(SEEDED_TICKETS.dashboardNoData);
    expect(after).toMatchObject({ assigneeId: null, groupId: TIER1 });
    expect(Date.parse(after?.updatedAt ?? '')).toBeGreaterThan(Date.parse(before));

    await client.updateTicket(id, { groupId: String(TIER2) });
    expect(sandbox.ticket(SEEDED_TICKETS.dashboardNoData)).toMatchObject({ groupId: TIER2, assigneeId: null });
  });

  it('updateTicket on a closed ticket fails with the 422 field reason, not retried', async () => {
    await api(url, 'danaFox', 'PUT', `/api/v2/tickets/${SEEDED_TICKETS.exportFails}.json`, { ticket: { status: 'closed' } });
    sandbox.http.calls.reset();
    const err: unknown = await clientFor(url).updateTicket(String(SEEDED_TICKETS.exportFails), { status: 'open' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 422, kind: 'client', fields: { status: 'Status: closed prevents ticket update' } });
    expect(sandbox.http.calls.total()).toBe(1);
  });
});

describe('ZendeskClient against the sandbox: reads', () => {
  it('getUser, getOrganization and listGroups answer the seeded records', async () => {
    const client = clientFor(url);
    await expect(client.getUser(String(DANA.id))).resolves.toEqual({ id: String(DANA.id), name: 'Dana Fox', email: DANA.email, role: 'agent', organisationId: null });
    await expect(client.getUser(String(INTEGRATION.id))).resolves.toMatchObject({ role: 'admin', organisationId: String(ZENDESK_ORGANIZATIONS.managingEnergy.id) });
    await expect(client.getOrganization(String(ZENDESK_ORGANIZATIONS.managingEnergy.id))).resolves.toEqual({
      id: String(ZENDESK_ORGANIZATIONS.managingEnergy.id),
      name: 'Managing Energy Inc',
      domains: ['managingenergy.com'],
    });
    await expect(client.listGroups()).resolves.toEqual([
      { id: String(TIER1), name: 'Aegent Client Support' },
      { id: String(TIER2), name: 'Aegent Tier 2 Support' },
      { id: String(ZENDESK_GROUPS.meiManagement.id), name: 'MEI Management' },
    ]);
    await expect(client.getUser('123')).rejects.toMatchObject({ status: 404, vendorMessage: 'RecordNotFound: Not found' });
  });

  it('groups page with cursors when page[size] is small', async () => {
    const first = await api(url, 'danaFox', 'GET', '/api/v2/groups.json?page[size]=2');
    expect((first.body.groups as unknown[]).length).toBe(2);
    const meta = first.body.meta as { has_more: boolean; after_cursor: string };
    expect(meta.has_more).toBe(true);
    const second = await api(url, 'danaFox', 'GET', `/api/v2/groups.json?page[size]=2&page[after]=${encodeURIComponent(meta.after_cursor)}`);
    expect((second.body.groups as Array<{ name: string }>).map((g) => g.name)).toEqual(['MEI Management']);
    expect(second.body.meta).toMatchObject({ has_more: false });
  });

  it('incrementalTickets starts from start_time, then resumes from the cursor with only what changed', async () => {
    const client = clientFor(url);
    const first = await client.incrementalTickets({ startTime: 0 });
    expect(first.tickets.map((t) => t.id)).toEqual([String(SEEDED_TICKETS.dashboardNoData), String(SEEDED_TICKETS.exportFails)]);
    expect(first.endOfStream).toBe(true);
    expect(first.afterCursor).toEqual(expect.any(String));

    const empty = await client.incrementalTickets({ cursor: first.afterCursor ?? '' });
    expect(empty).toMatchObject({ tickets: [], endOfStream: true, afterCursor: first.afterCursor });

    await client.updateTicket(String(SEEDED_TICKETS.exportFails), { status: 'on_hold' });
    const next = await client.incrementalTickets({ cursor: first.afterCursor ?? '' });
    expect(next.tickets.map((t) => [t.id, t.vendorStatus, t.status])).toEqual([[String(SEEDED_TICKETS.exportFails), 'hold', 'on_hold']]);
    expect(next.afterCursor).not.toBe(first.afterCursor);

    const future = Math.floor(Date.now() / 1000) + 3600;
    await expect(client.incrementalTickets({ startTime: future })).resolves.toMatchObject({ tickets: [], endOfStream: true });
  });
});
