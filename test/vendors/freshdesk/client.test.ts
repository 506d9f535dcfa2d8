import { readFileSync } from 'node:fs';
import path from 'node:path';
import nock from 'nock';
import { createLogger } from '../../../src/logging/logger';
import { PartialWriteError } from '../../../src/vendors/core/errors';
import { FreshdeskClient } from '../../../src/vendors/freshdesk/client';

const BASE = 'https://acme-help.freshdesk.com';
const API_KEY = 'Fd8kQ2vXr7LmN3pT';
const AUTH = `Basic ${Buffer.from(`${API_KEY}:X`).toString('base64')}`;

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(path.join(__dirname, '../../fixtures/freshdesk/api', name), 'utf8'));

function makeClient(): FreshdeskClient {
  return new FreshdeskClient({
    connectionId: 'fd-main',
    baseUrl: BASE,
    apiKey: API_KEY,
    timeoutMs: 2_000,
    retry: { retries: 3, minDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5_000 },
    logger: createLogger({ level: 'silent' }),
    customStatusMap: { '6': 'on_hold' },
  });
}

/** Every interceptor demands the Basic auth header: a request without it finds no match and fails. */
const freshdesk = () => nock(BASE, { reqheaders: { authorization: AUTH } });

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

function mockTicket4821(scope: nock.Scope): nock.Scope {
  return scope
    .get('/api/v2/tickets/4821')
    .query({ include: 'requester,company,conversations' })
    .reply(200, fixture('ticket-4821.json') as nock.Body)
    .get('/api/v2/tickets/4821/conversations')
    .query({ per_page: '100', page: '1' })
    .reply(200, fixture('conversations-4821-page1.json') as nock.Body, {
      Link: `<${BASE}/api/v2/tickets/4821/conversations?per_page=100&page=2>; rel="next"`,
    })
    .get('/api/v2/tickets/4821/conversations')
    .query({ per_page: '100', page: '2' })
    .reply(200, fixture('conversations-4821-page2.json') as nock.Body);
}

describe('FreshdeskClient.getTicket', () => {
  it('reads the ticket with its embeds, every conversation page and each agent once', async () => {
    const scope = mockTicket4821(freshdesk())
      .get('/api/v2/agents/43009817221')
      .reply(200, fixture('agent-43009817221.json') as nock.Body)
      .get('/api/v2/agents/43009817999')
      .reply(200, fixture('agent-43009817999.json') as nock.Body);

    const ticket = await makeClient().getTicket('4821');

    expect(scope.isDone()).toBe(true);
    expect(ticket).toMatchObject({
      id: '4821',
      url: `${BASE}/a/tickets/4821`,
      status: 'on_hold',
      vendorStatus: '6',
      priority: 'high',
      organisation: { id: '43000345678', name: 'Acme Industries', domains: [] },
      requester: { id: '43022118870', name: 'Ana Lima', email: 'ana@acme.io' },
    });
    expect(ticket.comments).toHaveLength(103);
    expect(ticket.comments[0]?.id).toBe('43015648000');
    expect(ticket.comments[102]?.id).toBe('43015648102');
    expect(ticket.comments[1]?.author).toMatchObject({ name: 'Priya Raman', role: 'agent' });
    expect(ticket.comments[2]?.author).toMatchObject({ name: 'Tom Becker', role: 'agent' });
    expect(ticket.comments[2]?.public).toBe(false);
  });

  it('costs two calls for a second ticket once the agents are known', async () => {
    const client = makeClient();
    mockTicket4821(freshdesk())
      .get('/api/v2/agents/43009817221')
      .reply(200, fixture('agent-43009817221.json') as nock.Body)
      .get('/api/v2/agents/43009817999')
      .reply(200, fixture('agent-43009817999.json') as nock.Body);
    await client.getTicket('4821');

    const second = freshdesk()
      .get('/api/v2/tickets/4821')
      .query({ include: 'requester,company,conversations' })
      .reply(200, fixture('ticket-4821.json') as nock.Body)
      .get('/api/v2/tickets/4821/conversations')
      .query({ per_page: '100', page: '1' })
      .reply(200, fixture('conversations-4821-page2.json') as nock.Body);
    const again = await client.getTicket('4821');

    expect(second.isDone()).toBe(true);
    expect(nock.pendingMocks()).toEqual([]);
    expect(again.comments.map((c) => c.author?.name)).toEqual(['Priya Raman', 'Tom Becker', 'Ana Lima']);
  });

  it('leaves an author unnamed when the agent is gone (404), and does not fail the ticket', async () => {
    const scope = freshdesk()
      .get('/api/v2/tickets/4821')
      .query({ include: 'requester,company,conversations' })
      .reply(200, fixture('ticket-4821.json') as nock.Body)
      .get('/api/v2/tickets/4821/conversations')
      .query({ per_page: '100', page: '1' })
      .reply(200, fixture('conversations-4821-page2.json') as nock.Body)
      .get('/api/v2/agents/43009817221')
      .reply(404, '')
      .get('/api/v2/agents/43009817999')
      .reply(200, fixture('agent-43009817999.json') as nock.Body);

    const ticket = await makeClient().getTicket('4821');

    expect(scope.isDone()).toBe(true);
    expect(ticket.comments[0]?.author).toEqual({ id: '43009817221', name: null, email: null, role: 'agent', organisationId: null });
    expect(ticket.comments[1]?.author?.name).toBe('Tom Becker');
  });

  it('fetches the company only when the embed is missing', async () => {
    const scope = freshdesk()
      .get('/api/v2/tickets/4821')
      .query({ include: 'requester,company,conversations' })
      .reply(200, fixture('ticket-4821-plain.json') as nock.Body)
      .get('/api/v2/tickets/4821/conversations')
      .query({ per_page: '100', page: '1' })
      .reply(200, [])
      .get('/api/v2/agents/43009817221')
      .reply(200, fixture('agent-43009817221.json') as nock.Body)
      .get('/api/v2/companies/43000345678')
      .reply(200, fixture('company-43000345678.json') as nock.Body);

    const ticket = await makeClient().getTicket('4821');

    expect(scope.isDone()).toBe(true);
    expect(ticket.organisation).toEqual({ id: '43000345678', name: 'Acme Industries', domains: ['acme.io', 'acme-industries.com'] });
    expect(ticket.comments).toEqual([]);
    // The responder is named even when they have not written yet.
    expect(ticket.assignee).toMatchObject({ id: '43009817221', role: 'agent' });
  });

  it('makes no company call for a ticket without a company', async () => {
    const scope = freshdesk()
      .get('/api/v2/tickets/5102')
      .query({ include: 'requester,company,conversations' })
      .reply(200, fixture('ticket-5102-no-company.json') as nock.Body)
      .get('/api/v2/tickets/5102/conversations')
      .query({ per_page: '100', page: '1' })
      .reply(200, []);

    const ticket = await makeClient().getTicket('5102');

    expect(scope.isDone()).toBe(true);
    expect(ticket.organisation).toBeNull();
    expect(ticket.status).toBe('pending');
  });

  it('refuses a non-numeric ticket id before any request', async () => {
    await expect(makeClient().getTicket('../agents/1')).rejects.toThrow('numeric id');
  });
});

describe('FreshdeskClient.getTicket with embedded conversations', () => {
  it('uses the embed when it holds fewer than 10 conversations: one call for the whole ticket', async () => {
    const base = fixture('ticket-5102-no-company.json') as Record<string, unknown>;
    const conversation = ((fixture('conversations-4821-page2.json') as Array<Record<string, unknown>>)[0] ?? {}) as Record<string, unknown>;
    const scope = freshdesk()
      .get('/api/v2/tickets/5102')
      .query({ include: 'requester,company,conversations' })
      .reply(200, { ...base, conversations: [{ ...conversation, ticket_id: 5102 }] })
      .get(/\/api\/v2\/agents\/\d+/)
      .optionally()
      .reply(200, fixture('agent-43009817221.json') as nock.Body);

    const ticket = await makeClient().getTicket('5102');

    expect(scope.isDone()).toBe(true);
    expect(ticket.comments).toHaveLength(1);
    expect(ticket.comments[0]?.id).toBe(String(conversation.id));
  });
});

describe('FreshdeskClient.addPrivateNote', () => {
  it('posts a private note with the HTML body and returns its id', async () => {
    const body = '<div><b>[helpdesk-sync]</b> Jira issue <a href="https://acme.atlassian.net/browse/SUP-311">SUP-311</a> raised.</div>';
    const scope = freshdesk()
      .post('/api/v2/tickets/4821/notes', { body, private: true })
      .reply(201, fixture('note-created.json') as nock.Body);

    await expect(makeClient().addPrivateNote('4821', body)).resolves.toEqual({ id: '43015649001' });
    expect(scope.isDone()).toBe(true);
  });
});

describe('FreshdeskClient.addPrivateNote with tags', () => {
  it('a tag update that fails after the note was posted says so (PartialWriteError with the note id), so the note is not posted twice', async () => {
    const body = '<div><b>[helpdesk-sync]</b> Jira issue SUP-311 raised.</div>';
    const scope = freshdesk()
      .post('/api/v2/tickets/4821/notes', { body, private: true })
      .reply(201, fixture('note-created.json') as nock.Body)
      .put('/api/v2/tickets/4821', { tags: ['billing', 'vip', 'jira:SUP-311'] })
      .reply(400, { description: 'Validation failed', errors: [{ field: 'tags', message: 'It should contain elements of type string only', code: 'datatype_mismatch' }] });
    const err = await makeClient()
      .addPrivateNote('4821', body, { addTags: ['jira:SUP-311'], current: { tags: ['billing', 'vip'], updatedAt: '2026-12-03T09:12:40Z' } })
      .then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(PartialWriteError);
    expect((err as PartialWriteError).resultId).toBe('43015649001');
    expect((err as PartialWriteError).failure).toMatchObject({ status: 400, operation: 'updateTicket' });
    expect(scope.isDone()).toBe(true);
  });
});

describe('FreshdeskClient.updateTicket', () => {
  it('puts group, assignee, status and company as Freshdesk numbers', async () => {
    const scope = freshdesk()
      .put('/api/v2/tickets/4821', { group_id: 43000612399, responder_id: null, status: 3, company_id: 43000345678 })
      .reply(200, fixture('ticket-4821-plain.json') as nock.Body);

    await makeClient().updateTicket('4821', {
      groupId: '43000612399',
      assigneeId: null,
      status: 'on_hold',
      organisationId: '43000345678',
    });
    expect(scope.isDone()).toBe(true);
  });

  it('reads the current tags and puts the merged list', async () => {
    const scope = freshdesk()
      .get('/api/v2/tickets/4821')
      .reply(200, fixture('ticket-4821-plain.json') as nock.Body)
      .put('/api/v2/tickets/4821', { status: 2, tags: ['billing', 'vip', 'escalated-t2'] })
      .reply(200, fixture('ticket-4821-plain.json') as nock.Body);

    await makeClient().updateTicket('4821', { status: 'in_progress', tags: { add: ['escalated-t2', 'billing'], remove: ['jira-bug'] } });
    expect(scope.isDone()).toBe(true);
  });

  it('makes no call for an empty patch', async () => {
    await makeClient().updateTicket('4821', {});
    await makeClient().updateTicket('4821', { tags: { add: [], remove: [] } });
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('skips the PUT when the tag change leaves the list as it is', async () => {
    const scope = freshdesk().get('/api/v2/tickets/4821').reply(200, fixture('ticket-4821-plain.json') as nock.Body);

    await makeClient().updateTicket('4821', { tags: { add: ['vip'], remove: ['not-there'] } });
    expect(scope.isDone()).toBe(true);
  });
});

describe('FreshdeskClient contacts and companies', () => {
  it('reads a contact and a company', async () => {
    const scope = freshdesk()
      .get('/api/v2/contacts/43022118870')
      .reply(200, fixture('contact-43022118870.json') as nock.Body)
      .get('/api/v2/companies/43000345678')
      .reply(200, fixture('company-43000345678.json') as nock.Body);
    const client = makeClient();

    await expect(client.getContact('43022118870')).resolves.toEqual({
      id: '43022118870',
      name: 'Ana Lima',
      email: 'ana@acme.io',
      role: 'end-user',
      organisationId: '43000345678',
    });
    await expect(client.getCompany('43000345678')).resolves.toEqual({
      id: '43000345678',
      name: 'Acme Industries',
      domains: ['acme.io', 'acme-industries.com'],
    });
    expect(scope.isDone()).toBe(true);
  });
});
