import type { FreshdeskSandbox } from '../../../src/sandbox/freshdesk';
import { FRESHDESK_AGENTS, FRESHDESK_COMPANIES, FRESHDESK_GROUPS, FRESHDESK_REQUESTERS } from '../../../src/sandbox/seed-people';
import { VendorApiError } from '../../../src/vendors/core/errors';
import type { Ticket } from '../../../src/domain/ticket';
import { call, clientFor, createTicket, startSandbox } from './helpers';

const { samOrtiz, alexChen, heather, integration } = FRESHDESK_AGENTS;
const { ana } = FRESHDESK_REQUESTERS;

describe('FreshdeskClient against the Freshdesk sandbox', () => {
  let sandbox: FreshdeskSandbox;
  let base: string;

  beforeEach(async () => {
    ({ sandbox, base } = await startSandbox());
  });
  afterEach(async () => {
    await sandbox.close();
  });

  it('reads a ticket with 120 conversations across two pages, naming each agent once', async () => {
    const id = await createTicket(base, samOrtiz.apiKey, { email: ana.email, subject: 'Invoices fail', group_id: FRESHDESK_GROUPS.clientSuccess.id });
    const authors = [
      { key: samOrtiz.apiKey, path: 'reply', body: (n: number) => ({ body: `<p>Reply ${n}</p>` }) },
      { key: samOrtiz.apiKey, path: 'notes', body: (n: number) => ({ body: `<p>Customer ${n}</p>`, incoming: true, private: false, user_id: ana.id }) },
      { key: alexChen.apiKey, path: 'notes', body: (n: number) => ({ body: `<p>Alex note ${n}</p>` }) },
      { key: heather.apiKey, path: 'notes', body: (n: number) => ({ body: `<p>Heather note ${n}</p>` }) },
    ];
    for (let n = 0; n < 120; n += 1) {
      const author = authors[n % authors.length]!;
      const answer = await call(base, author.key, 'POST', `/api/v2/tickets/${id}/${author.path}`, author.body(n));
      expect(answer.status).toBe(201);
    }
    sandbox.http.calls.reset();

    const ticket = await clientFor(base).getTicket(String(id));

    expect(ticket.comments).toHaveLength(120);
    expect(ticket.comments.map((c) => Number(c.id))).toEqual([...ticket.comments.map((c) => Number(c.id))].sort((a, b) => a - b));
    expect(ticket.comments[0]).toMatchObject({ bodyHtml: '<p>Reply 0</p>', public: true, incoming: false, author: { name: 'Sam Ortiz', role: 'agent' } });
    expect(ticket.comments[1]).toMatchObject({ bodyText: 'Customer 1', public: true, incoming: true, author: { id: String(ana.id), name: 'Ana Lima', role: 'end-user' } });
    expect(ticket.comments[2]).toMatchObject({ public: false, author: { name: 'Alex Chen', email: alexChen.email } });
    expect(ticket.comments[119]).toMatchObject({ bodyText: 'Heather note 119', public: false, author: { name: 'Heather Lane' } });
    expect(ticket).toMatchObject({
      subject: 'Invoices fail',
      status: 'open',
      groupId: String(FRESHDESK_GROUPS.clientSuccess.id),
      requester: { name: 'Ana Lima', email: ana.email },
      organisation: { id: String(FRESHDESK_COMPANIES.northwind.id), name: 'Northwind Traders' },
    });
    const calls = sandbox.http.calls;
    expect(calls.count('GET', '/api/v2/tickets/:id')).toBe(1);
    expect(calls.count('GET', '/api/v2/tickets/:id/conversations')).toBe(2);
    // Three distinct agents (Sam, Alex, Heather); the customer's notes need no lookup.
    expect(calls.count('GET', '/api/v2/agents/:id')).toBe(3);
    expect(calls.count('GET', '/api/v2/companies/:id')).toBe(0);
  });

  it('adds a private note as the integration user', async () => {
    const id = await createTicket(base, samOrtiz.apiKey, { email: ana.email });

    const { id: noteId } = await clientFor(base).addPrivateNote(String(id), '<p>Jira issue <b>SUP-12</b> raised.</p>');

    const notes = sandbox.conversations(id);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ id: Number(noteId), private: true, incoming: false, source: 2, userId: integration.id, bodyText: 'Jira issue SUP-12 raised.' });
  });

  it('updates status, group and assignee, and merges tags by reading them first', async () => {
    const id = await createTicket(base, samOrtiz.apiKey, { email: ana.email, tags: ['billing', 'vip'] });
    const before = sandbox.ticket(id)!.updatedAt;
    sandbox.http.calls.reset();

    await clientFor(base).updateTicket(String(id), {
      status: 'pending',
      groupId: String(FRESHDESK_GROUPS.appSupport.id),
      assigneeId: String(alexChen.id),
      tags: { add: ['jira-escalated', 'vip'], remove: ['billing'] },
    });

    expect(sandbox.ticket(id)).toMatchObject({ status: 3, groupId: FRESHDESK_GROUPS.appSupport.id, responderId: alexChen.id, tags: ['vip', 'jira-escalated'] });
    expect(Date.parse(sandbox.ticket(id)!.updatedAt)).toBeGreaterThan(Date.parse(before));
    expect(sandbox.http.calls.count('GET', '/api/v2/tickets/:id')).toBe(1);
    expect(sandbox.http.calls.count('PUT', '/api/v2/tickets/:id')).toBe(1);
  });

  it('sends no PUT when the tag change changes nothing, and can unassign', async () => {
    const id = await createTicket(base, samOrtiz.apiKey, { email: ana.email, tags: ['vip'], responder_id: samOrtiz.id });
    const client = clientFor(base);

    await client.updateTicket(String(id), { tags: { add: ['vip'] } });
    expect(sandbox.http.calls.count('PUT', '/api/v2/tickets/:id')).toBe(0);

    await client.updateTicket(String(id), { assigneeId: null });
    expect(sandbox.ticket(id)!.responderId).toBeNull();
  });

  it('refuses a responder who is not an agent with a field error', async () => {
    const id = await createTicket(base, samOrtiz.apiKey, { email: ana.email });

    const err = await clientFor(base)
      .updateTicket(String(id), { assigneeId: String(ana.id) })
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(VendorApiError);
    expect(err).toMatchObject({ status: 400, kind: 'client', vendorMessage: 'Validation failed', fields: { responder_id: 'There is no agent matching the given responder_id' } });
    expect(sandbox.ticket(id)!.responderId).toBeNull();
  });

  it('lists tickets updated since a moment, oldest change first, across pages', async () => {
    let clock = Date.parse('2025-03-10T09:00:00Z');
    await sandbox.close();
    ({ sandbox, base } = await startSandbox({ now: () => new Date(clock) }));
    const ids: number[] = [];
    for (let n = 0; n < 105; n += 1) {
      clock += 1000;
      ids.push(await createTicket(base, samOrtiz.apiKey, { email: ana.email, subject: `Ticket ${n}` }));
    }
    clock += 1000;
    // The first ticket changes last, so it comes last in updated_at order.
    expect((await call(base, samOrtiz.apiKey, 'PUT', `/api/v2/tickets/${ids[0]}`, { priority: 4 })).status).toBe(200);
    sandbox.http.calls.reset();

    const seen: Ticket[] = [];
    for await (const t of clientFor(base).listTicketsUpdatedSince('2025-03-10T09:00:01Z')) seen.push(t);

    expect(seen.map((t) => Number(t.id))).toEqual([...ids.slice(1), ids[0]]);
    expect(seen[0]).toMatchObject({ subject: 'Ticket 1', descriptionHtml: '<p>Something broke</p>', updatedAt: '2025-03-10T09:00:02Z' });
    expect(seen[104]).toMatchObject({ priority: 'urgent', updatedAt: '2025-03-10T09:01:46Z' });
    expect(sandbox.http.calls.count('GET', '/api/v2/tickets')).toBe(2);
  });

  it('reads contacts and companies', async () => {
    const client = clientFor(base);
    await expect(client.getContact(String(ana.id))).resolves.toEqual({
      id: String(ana.id),
      name: 'Ana Lima',
      email: ana.email,
      role: 'end-user',
      organisationId: String(FRESHDESK_COMPANIES.northwind.id),
    });
    await expect(client.getCompany(String(FRESHDESK_COMPANIES.contoso.id))).resolves.toEqual({
      id: String(FRESHDESK_COMPANIES.contoso.id),
      name: 'Contoso Health',
      domains: ['contoso-health.example'],
    });
    await expect(client.getContact('1')).rejects.toMatchObject({ status: 404, notFound: true });
  });
});
