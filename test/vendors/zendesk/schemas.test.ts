import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { zendeskErrorDetails } from '../../../src/vendors/zendesk/client';
import {
  commentsPageSchema,
  incrementalTicketsResponseSchema,
  showTicketResponseSchema,
  ticketSchema,
  zendeskId,
} from '../../../src/vendors/zendesk/schemas';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'zendesk', 'api');

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Record<string, unknown>;
}

describe('zendeskId', () => {
  it('turns JSON numbers and webhook strings into the same string', () => {
    expect(zendeskId.parse(8447388090494)).toBe('8447388090494');
    expect(zendeskId.parse('8447388090494')).toBe('8447388090494');
  });

  it('refuses ids that already lost digits in JSON.parse, and non-integers', () => {
    expect(zendeskId.safeParse(2 ** 60).success).toBe(false);
    expect(zendeskId.safeParse(5158.5).success).toBe(false);
    expect(zendeskId.safeParse('51a8').success).toBe(false);
  });
});

describe('response schemas', () => {
  it('accept real answers with their unknown fields and side-loads', () => {
    const show = showTicketResponseSchema.parse(fixture('ticket-show.json'));

    expect(show.ticket.requester_id).toBe('8447388090494');
    expect(show.users.map((u) => u.role)).toEqual(['end-user', 'agent', 'admin']);
    expect(show.organizations[0]?.domain_names).toEqual(['northwind.example', 'northwind-traders.example']);
    // Loose objects: fields we do not model are carried, not stripped or refused.
    expect((show.ticket as Record<string, unknown>).brand_id).toBe(8447308454686);
  });

  it('default missing side-loads and tags to empty lists', () => {
    const { users, organizations, ...bare } = fixture('ticket-show.json');
    const ticket = { ...(bare.ticket as Record<string, unknown>) };
    delete ticket.tags;
    delete ticket.custom_fields;

    const show = showTicketResponseSchema.parse({ ticket });

    expect(users).toBeDefined();
    expect(organizations).toBeDefined();
    expect(show.users).toEqual([]);
    expect(show.organizations).toEqual([]);
    expect(show.ticket.tags).toEqual([]);
    expect(show.ticket.custom_fields).toEqual([]);
  });

  it('accept nulls where Zendesk clears a field', () => {
    const ticket = ticketSchema.parse({
      id: 1,
      status: 'new',
      subject: null,
      priority: null,
      type: null,
      assignee_id: null,
      group_id: null,
      organization_id: null,
      tags: null,
      created_at: '2025-01-01T00:00:00Z',
      updated_at: '2025-01-01T00:00:00Z',
    });

    expect(ticket).toMatchObject({ assignee_id: null, group_id: null, organization_id: null, requester_id: null, tags: [] });
  });

  it('require the cursor meta on comment pages', () => {
    const page = fixture('ticket-comments.json');
    delete page.meta;

    expect(commentsPageSchema.safeParse(page).success).toBe(false);
  });

  it('let deleted tickets through the incremental export', () => {
    const page = incrementalTicketsResponseSchema.parse(fixture('incremental-first.json'));

    expect(page.tickets.map((t) => t.status)).toEqual(['open', 'solved', 'deleted']);
  });
});

describe('zendeskErrorDetails', () => {
  it('reads a 422 with per-field details', () => {
    expect(zendeskErrorDetails(fixture('error-422-record-invalid.json'))).toEqual({
      message: 'RecordInvalid: Record validation errors',
      fields: {
        assignee_id: 'Assignee: 8447388090999 is not an agent in group Tier 2',
        status: 'Status: closed prevents ticket update',
      },
    });
  });

  it('joins several problems of one field', () => {
    const details = zendeskErrorDetails({
      error: 'RecordInvalid',
      description: 'Record validation errors',
      details: { base: [{ description: 'Subject: cannot be blank' }, { description: 'Requester: is invalid' }] },
    });

    expect(details.fields).toEqual({ base: 'Subject: cannot be blank; Requester: is invalid' });
  });

  it('reads the {title, message} form', () => {
    expect(zendeskErrorDetails(fixture('error-403-forbidden.json')).message).toMatch(/^Forbidden: You do not have access/);
  });

  it('reads a bare error string', () => {
    expect(zendeskErrorDetails({ error: "Couldn't authenticate you" })).toEqual({ message: "Couldn't authenticate you" });
  });

  it('keeps a short excerpt of text bodies and nothing of other shapes', () => {
    expect(zendeskErrorDetails(`  Rate limit exceeded${' '.repeat(5)}${'x'.repeat(500)}`).message).toHaveLength(200);
    expect(zendeskErrorDetails(null)).toEqual({ message: '' });
    expect(zendeskErrorDetails([1, 2])).toEqual({ message: '' });
  });
});
