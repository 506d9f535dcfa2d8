import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CanonicalStatus, Person } from '../../../src/domain/ticket';
import {
  compareComments,
  conversationAuthor,
  emailAddressOf,
  mapAgent,
  mapCompany,
  mapContact,
  mapConversation,
  mapTicket,
  mergeTags,
  toCanonicalPriority,
  toCanonicalStatus,
  toFreshdeskPriority,
  toFreshdeskStatus,
  ticketUrl,
} from '../../../src/vendors/freshdesk/mapper';
import {
  FreshdeskAgentSchema,
  FreshdeskCompanySchema,
  FreshdeskContactSchema,
  FreshdeskConversationListSchema,
  FreshdeskTicketListSchema,
  FreshdeskTicketSchema,
  type FreshdeskConversation,
} from '../../../src/vendors/freshdesk/schemas';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(path.join(__dirname, '../../fixtures/freshdesk/api', name), 'utf8'));

const ticket4821 = FreshdeskTicketSchema.parse(fixture('ticket-4821.json'));
const conversations = [
  ...FreshdeskConversationListSchema.parse(fixture('conversations-4821-page1.json')),
  ...FreshdeskConversationListSchema.parse(fixture('conversations-4821-page2.json')),
];
const priya = mapAgent(FreshdeskAgentSchema.parse(fixture('agent-43009817221.json')));
const tom = mapAgent(FreshdeskAgentSchema.parse(fixture('agent-43009817999.json')));
const agents = new Map<string, Person>([
  [priya.id, priya],
  [tom.id, tom],
]);
const REQUESTER_ID = 43022118870;

describe('Freshdesk status and priority mapping', () => {
  it.each<[number, CanonicalStatus]>([
    [2, 'open'],
    [3, 'pending'],
    [4, 'resolved'],
    [5, 'closed'],
  ])('maps built-in status %i to %s', (status, expected) => {
    expect(toCanonicalStatus(status)).toBe(expected);
  });

  it('maps a custom status through the configured map, and an unmapped one to open', () => {
    const map: Record<string, CanonicalStatus> = { '6': 'on_hold', '7': 'in_progress' };
    expect(toCanonicalStatus(6, map)).toBe('on_hold');
    expect(toCanonicalStatus(7, map)).toBe('in_progress');
    expect(toCanonicalStatus(32, map)).toBe('open');
    expect(toCanonicalStatus(6)).toBe('open');
  });

  it('does not let the custom map redefine a built-in status', () => {
    expect(toCanonicalStatus(4, { '4': 'open' })).toBe('resolved');
  });

  it.each<[CanonicalStatus, number]>([
    ['open', 2],
    ['pending', 3],
    ['in_progress', 2],
    ['on_hold', 3],
    ['resolved', 4],
    ['closed', 5],
  ])('maps canonical %s back to Freshdesk %i', (status, expected) => {
    expect(toFreshdeskStatus(status)).toBe(expected);
  });

  it('maps priorities both ways, unknown ones to null', () => {
    expect([1, 2, 3, 4].map(toCanonicalPriority)).toEqual(['low', 'normal', 'high', 'urgent']);
    expect(toCanonicalPriority(9)).toBeNull();
    expect((['low', 'normal', 'high', 'urgent'] as const).map(toFreshdeskPriority)).toEqual([1, 2, 3, 4]);
  });
});

describe('mapTicket', () => {
  const ticket = mapTicket({
    ticket: ticket4821,
    conversations,
    agents,
    baseUrl: 'https://acme-help.freshdesk.com/',
    connectionId: 'fd-main',
    customStatusMap: { '6': 'on_hold' },
  });

  it('maps the ticket fields, ids as strings', () => {
    expect(ticket).toMatchObject({
      vendor: 'freshdesk',
      connectionId: 'fd-main',
      id: '4821',
      url: 'https://acme-help.freshdesk.com/a/tickets/4821',
      subject: 'Cannot export invoices to CSV',
      status: 'on_hold',
      vendorStatus: '6',
      priority: 'high',
      type: 'Problem',
      groupId: '43000612345',
      assigneeId: '43009817221',
      tags: ['billing', 'jira-bug'],
      createdAt: '2025-03-03T09:14:07Z',
      updatedAt: '2025-03-06T16:02:51Z',
    });
    expect(ticket.customFields).toEqual({
      cf_jira_key: null,
      cf_impact: 'Whole finance team',
      cf_environment: 'Production EU',
      cf_escalation_tier: 'App Support',
    });
  });

  it('keeps the description out of the comments', () => {
    expect(ticket.descriptionHtml).toContain('<b>HTTP 500</b>');
    expect(ticket.descriptionText).toBe(
      'Hello, Since Friday the invoice export stops with HTTP 500. Steps Billing > Invoices Export CSV Thanks, Ana',
    );
    expect(ticket.comments).toHaveLength(103);
    expect(ticket.comments.some((c) => c.bodyHtml === ticket.descriptionHtml)).toBe(false);
  });

  it('takes the requester and organisation from the embeds', () => {
    expect(ticket.requester).toEqual({
      id: '43022118870',
      name: 'Ana Lima',
      email: 'ana@acme.io',
      role: 'end-user',
      organisationId: '43000345678',
    });
    expect(ticket.organisation).toEqual({ id: '43000345678', name: 'Acme Industries', domains: [] });
  });

  it('prefers a fetched organisation (with domains) over the embed', () => {
    const org = mapCompany(FreshdeskCompanySchema.parse(fixture('company-43000345678.json')));
    const withOrg = mapTicket({ ticket: ticket4821, conversations: [], organisation: org, baseUrl: 'https://x.freshdesk.com', connectionId: 'c' });
    expect(withOrg.organisation).toEqual({ id: '43000345678', name: 'Acme Industries', domains: ['acme.io', 'acme-industries.com'] });
  });

  it('maps each kind of conversation with its author and visibility', () => {
    const [first, second, third] = ticket.comments;
    expect(first).toEqual({
      id: '43015648000',
      authorId: '43022118870',
      author: ticket.requester,
      public: true,
      incoming: true,
      bodyText: 'Export #0 still fails with HTTP 500 for March invoices. Ana',
      bodyHtml: '<div dir="ltr">Export #0 still fails with <b>HTTP 500</b> for March invoices.<br><br>Ana</div>',
      createdAt: '2025-03-03T09:14:07Z',
    });
    expect(second).toMatchObject({ id: '43015648001', author: priya, public: true, incoming: false });
    expect(third).toMatchObject({ id: '43015648002', author: tom, public: false, incoming: false });
    expect(third?.bodyHtml).toBe('<div>Checked logs for run 2: timeout in <code>invoice-export</code>.</div>');
  });

  it('treats another incoming writer (a CC) as an end-user with the address from from_email', () => {
    const cc = ticket.comments.find((c) => c.id === '43015648050');
    expect(cc?.author).toEqual({ id: '43022119001', name: null, email: 'marco@acme.io', role: 'end-user', organisationId: null });
  });

  it('orders comments oldest first', () => {
    const times = ticket.comments.map((c) => Date.parse(c.createdAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(ticket.comments.at(-1)?.id).toBe('43015648102');
  });

  it('maps a ticket without company, assignee or type', () => {
    const t = mapTicket({
      ticket: FreshdeskTicketSchema.parse(fixture('ticket-5102-no-company.json')),
      conversations: [],
      baseUrl: 'https://acme-help.freshdesk.com',
      connectionId: 'fd-main',
    });
    expect(t).toMatchObject({ status: 'pending', vendorStatus: '3', priority: 'low', type: null, groupId: null, assigneeId: null, organisation: null });
    expect(t.requester).toEqual({ id: '43022200417', name: 'J Doe', email: 'j.doe@gmail.com', role: 'end-user', organisationId: null });
  });

  it('maps list records, which carry no embeds, with a requester known by id only', () => {
    const [record] = FreshdeskTicketListSchema.parse(fixture('tickets-updated-page1.json'));
    if (!record) throw new Error('fixture is empty');
    const t = mapTicket({ ticket: record, conversations: [], baseUrl: 'https://acme-help.freshdesk.com', connectionId: 'fd-main' });
    expect(t.requester).toEqual({ id: '43022100000', name: null, email: null, role: 'end-user', organisationId: '43000345678' });
    expect(t.organisation).toBeNull();
    expect(t.descriptionText).toBe('Report 0: cannot export invoices to csv.');
  });
});

describe('conversation authors', () => {
  const base: FreshdeskConversation = FreshdeskConversationListSchema.parse(fixture('conversations-4821-page2.json'))[0] as FreshdeskConversation;
  const requester: Person = { id: '43022118870', name: 'Ana Lima', email: 'ana@acme.io', role: 'end-user', organisationId: null };

  it('is an end-user when user_id is the requester even on an outgoing conversation', () => {
    const c = { ...base, user_id: REQUESTER_ID, incoming: false };
    expect(conversationAuthor(c, REQUESTER_ID, { requester, agents })).toBe(requester);
  });

  it('is an agent without a name when the agent could not be resolved', () => {
    const c = { ...base, user_id: 43009000001, incoming: false };
    expect(conversationAuthor(c, REQUESTER_ID, { requester, agents: new Map() })).toEqual({
      id: '43009000001',
      name: null,
      email: null,
      role: 'agent',
      organisationId: null,
    });
  });

  it('is null when Freshdesk names no user', () => {
    const comment = mapConversation({ ...base, user_id: null }, REQUESTER_ID, { requester, agents });
    expect(comment.author).toBeNull();
    expect(comment.authorId).toBeNull();
  });
});

describe('conversation attachments', () => {
  it('lists the files Freshdesk attached, skipping one without a name or link', () => {
    const [withFiles, plain] = FreshdeskConversationListSchema.parse(fixture('conversations-4821-attachments.json')).map((c) =>
      mapConversation(c, REQUESTER_ID, { requester: null, agents }),
    );

    expect(withFiles?.attachments).toEqual([
      {
        name: 'export-error.png',
        url: 'https://s3.amazonaws.com/cdn.freshdesk.com/data/helpdesk/attachments/production/43004456001/original/export-error.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=300&X-Amz-Signature=3f1c',
      },
      {
        name: 'export.log',
        url: 'https://s3.amazonaws.com/cdn.freshdesk.com/data/helpdesk/attachments/production/43004456002/original/export.log?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=300&X-Amz-Signature=9b2e',
      },
    ]);
    expect(plain).not.toHaveProperty('attachments');
  });
});

describe('small helpers', () => {
  it('reads an address from from_email in both spellings', () => {
    expect(emailAddressOf('"Marco Rossi" <marco@acme.io>')).toBe('marco@acme.io');
    expect(emailAddressOf('marco@acme.io')).toBe('marco@acme.io');
    expect(emailAddressOf('Acme Help')).toBeNull();
    expect(emailAddressOf(null)).toBeNull();
  });

  it('merges tags: adds, removes, dedupes and keeps the existing order', () => {
    expect(mergeTags(['billing', 'jira-bug', 'vip'], { add: ['escalated', 'billing', 'escalated'], remove: ['jira-bug'] })).toEqual([
      'billing',
      'vip',
      'escalated',
    ]);
    expect(mergeTags(['a', 'a', 'b'], {})).toEqual(['a', 'b']);
  });

  it('breaks createdAt ties by id', () => {
    const c = (id: string, createdAt: string) => ({ id, authorId: null, author: null, public: true, incoming: false, bodyText: '', bodyHtml: null, createdAt });
    const sorted = [c('20', '2025-01-01T00:00:01Z'), c('10', '2025-01-01T00:00:01Z'), c('5', '2025-01-01T00:00:02Z')].sort(compareComments);
    expect(sorted.map((x) => x.id)).toEqual(['10', '20', '5']);
  });

  it('builds the agent-facing url without a double slash', () => {
    expect(ticketUrl('https://acme-help.freshdesk.com/', 12)).toBe('https://acme-help.freshdesk.com/a/tickets/12');
  });

  it('maps a contact and an agent', () => {
    expect(mapContact(FreshdeskContactSchema.parse(fixture('contact-43022118870.json')))).toEqual({
      id: '43022118870',
      name: 'Ana Lima',
      email: 'ana@acme.io',
      role: 'end-user',
      organisationId: '43000345678',
    });
    expect(priya).toEqual({ id: '43009817221', name: 'Priya Raman', email: 'priya.raman@acme-help.com', role: 'agent', organisationId: null });
  });
});
