import { readFileSync } from 'node:fs';
import path from 'node:path';
import nock from 'nock';
import { createLogger } from '../../../src/logging/logger';
import { FreshdeskClient } from '../../../src/vendors/freshdesk/client';
import { helpdeskSlaOf, mapTicket } from '../../../src/vendors/freshdesk/mapper';
import { FreshdeskTicketListSchema, FreshdeskTicketSchema } from '../../../src/vendors/freshdesk/schemas';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path.join(__dirname, '../../fixtures/freshdesk/api', name), 'utf8')) as Record<string, unknown>;

const map = (raw: unknown) =>
  mapTicket({ ticket: FreshdeskTicketSchema.parse(raw), conversations: [], baseUrl: 'https://acme-help.freshdesk.com', connectionId: 'fd-main' });

describe('Freshdesk SLA due times into the canonical ticket', () => {
  it('maps fr_due_by and due_by of a ticket as the API returns it, in ISO UTC, with no stage', () => {
    // ticket-4821: high priority, created 2025-03-03T09:14:07Z, fr_escalated and is_escalated true.
    const ticket = map(fixture('ticket-4821.json'));
    expect(ticket.helpdeskSla).toEqual({
      firstResponse: { dueAt: '2025-03-03T13:14:07.000Z', stage: null },
      resolution: { dueAt: '2025-03-04T09:14:07.000Z', stage: null },
    });
  });

  it('reads the escalation flags without requiring them', () => {
    const parsed = FreshdeskTicketSchema.parse(fixture('ticket-4821.json'));
    expect(parsed).toMatchObject({ fr_escalated: true, is_escalated: true });
    const bare = fixture('ticket-4821.json');
    delete bare.fr_escalated;
    delete bare.is_escalated;
    expect(FreshdeskTicketSchema.safeParse(bare).success).toBe(true);
  });

  it('normalises offsets to UTC', () => {
    const raw = { ...fixture('ticket-5102-no-company.json'), fr_due_by: '2025-03-10T19:30:00+05:30', due_by: '2025-03-12T05:00:00-05:00' };
    expect(map(raw).helpdeskSla).toEqual({
      firstResponse: { dueAt: '2025-03-10T14:00:00.000Z', stage: null },
      resolution: { dueAt: '2025-03-12T10:00:00.000Z', stage: null },
    });
  });

  it('gives null targets when the fields are absent, null or unreadable, and still parses the ticket', () => {
    const absent = fixture('ticket-4821.json');
    delete absent.fr_due_by;
    delete absent.due_by;
    expect(map(absent).helpdeskSla).toEqual({ firstResponse: null, resolution: null });
    expect(map({ ...fixture('ticket-4821.json'), fr_due_by: null, due_by: 'soon' }).helpdeskSla).toEqual({ firstResponse: null, resolution: null });
    // A wrong type drops only the SLA value, never the ticket.
    const odd = FreshdeskTicketSchema.safeParse({ ...fixture('ticket-4821.json'), due_by: 1741079647, fr_escalated: 'yes' });
    expect(odd.success).toBe(true);
    expect(odd.success && helpdeskSlaOf(odd.data).resolution).toBeNull();
  });

  it('list answers carry the due times too', () => {
    const list = FreshdeskTicketListSchema.parse(fixture('tickets-updated-page1.json'));
    expect(helpdeskSlaOf(list[0] as (typeof list)[number])).toEqual({
      firstResponse: { dueAt: '2025-03-18T10:00:00.000Z', stage: null },
      resolution: { dueAt: '2025-03-20T10:00:00.000Z', stage: null },
    });
  });
});

describe('FreshdeskClient.getTicket carries the SLA with no extra call', () => {
  const BASE = 'https://acme-help.freshdesk.com';
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  it('maps the due times of the ticket answer', async () => {
    const client = new FreshdeskClient({
      connectionId: 'fd-main',
      baseUrl: BASE,
      timeoutMs: 2000,
      retry: { retries: 0, minDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1000 },
      logger: createLogger({ level: 'silent' }),
      apiKey: 'fd-api-key-7Hq2LmZx9',
    });
    const ticket = { ...fixture('ticket-5102-no-company.json'), conversations: [] };
    nock(BASE)
      .get('/api/v2/tickets/5102')
      .query(true)
      .reply(200, ticket)
      .get(/\/api\/v2\/tickets\/5102\/conversations.*/)
      .reply(200, [])
      .get(/\/api\/v2\/agents.*/)
      .reply(200, [])
      .persist();
    const mapped = await client.getTicket('5102');
    expect(mapped.helpdeskSla).toEqual({
      firstResponse: { dueAt: '2025-03-10T14:00:00.000Z', stage: null },
      resolution: { dueAt: '2025-03-12T10:00:00.000Z', stage: null },
    });
  });
});
