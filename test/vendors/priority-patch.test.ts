import nock from 'nock';
import { createLogger } from '../../src/logging/logger';
import { FreshdeskClient } from '../../src/vendors/freshdesk/client';
import { ZendeskClient } from '../../src/vendors/zendesk/client';
import { fixture } from '../helpers/fixtures';

const retry = { retries: 0, minDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5000 };
const logger = createLogger({ level: 'silent' });

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('TicketPatch.priority (T3 sets priority through the matrix)', () => {
  it('Zendesk takes the canonical word', async () => {
    const scope = nock('https://acme.zendesk.com')
      .put('/api/v2/tickets/5158.json', { ticket: { priority: 'urgent' } })
      .reply(200, fixture('zendesk/api/update-ticket.json') as nock.Body);
    const client = new ZendeskClient({ connectionId: 'default', baseUrl: 'https://acme.zendesk.com', timeoutMs: 1000, retry, logger, email: 'hs@acme.io', apiToken: 'zendesk-token-123' });
    await client.updateTicket('5158', { priority: 'urgent' });
    expect(scope.isDone()).toBe(true);
  });

  it('Freshdesk takes the number (4 urgent, 3 high, 2 medium, 1 low)', async () => {
    const scope = nock('https://acme.freshdesk.com')
      .put('/api/v2/tickets/4821', { priority: 4 })
      .reply(200, fixture('freshdesk/api/ticket-4821-plain.json') as nock.Body);
    const client = new FreshdeskClient({ connectionId: 'default', baseUrl: 'https://acme.freshdesk.com', timeoutMs: 1000, retry, logger, apiKey: 'freshdesk-key-123' });
    await client.updateTicket('4821', { priority: 'urgent' });
    expect(scope.isDone()).toBe(true);
  });
});
