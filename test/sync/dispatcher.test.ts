import type { InboxEvent } from '../../src/store/types';
import { Dispatcher, HELPDESKS, isReconcile, type IssueHandler, type TicketHandler } from '../../src/sync/dispatcher';

function event(vendor: InboxEvent['vendor'], eventType: string): InboxEvent {
  return {
    id: 1,
    vendor,
    connectionId: 'default',
    entityKey: vendor === 'jira' ? 'issue:10002' : 'ticket:5158',
    dedupeKey: 'd4f5c389-8f4a-4c2e-a1b9-8e4f39c71d52',
    eventType,
    source: 'webhook',
    payload: {},
    headers: {},
    receivedAt: new Date('2026-12-01T10:00:00Z'),
    status: 'processing',
    attempts: 1,
    nextAttemptAt: new Date('2026-12-01T10:00:00Z'),
    lockedBy: 'w',
    lockedUntil: null,
    lastError: null,
    processedAt: null,
  };
}

const ticketHandler = (name: string, route: TicketHandler['route']): TicketHandler => ({ name, route, handle: async () => undefined });
const issueHandler = (name: string, route: IssueHandler['route']): IssueHandler => ({ name, route, handle: async () => undefined });

describe('Dispatcher', () => {
  const d = new Dispatcher()
    .onTicket(ticketHandler('policy', { vendors: HELPDESKS, eventTypes: (t) => !isReconcile(t) }))
    .onTicket(ticketHandler('zendesk-only', { vendors: ['zendesk'] }))
    .onTicket(ticketHandler('mirror', { vendors: HELPDESKS }))
    .onIssue(issueHandler('mirror', { vendors: ['jira'] }));

  it('routes an event to the handlers registered for its vendor and type, in registration order', () => {
    expect(d.ticketHandlersFor(event('zendesk', 'ticket.comment_added')).map((h) => h.name)).toEqual(['policy', 'zendesk-only', 'mirror']);
    expect(d.ticketHandlersFor(event('freshdesk', 'ticket_updated')).map((h) => h.name)).toEqual(['policy', 'mirror']);
  });

  it('leaves out handlers whose route excludes the event type (a reconcile is the mirror\'s alone)', () => {
    expect(d.ticketHandlersFor(event('freshdesk', 'reconcile.pair')).map((h) => h.name)).toEqual(['mirror']);
  });

  it('sends Jira events to issue handlers only', () => {
    expect(d.ticketHandlersFor(event('jira', 'comment_created'))).toEqual([]);
    expect(d.issueHandlersFor(event('jira', 'comment_created')).map((h) => h.name)).toEqual(['mirror']);
    expect(d.issueHandlersFor(event('zendesk', 'ticket.comment_added'))).toEqual([]);
  });
});
