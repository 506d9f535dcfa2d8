import { parseFreshdesk } from '../../src/vendors/freshdesk/webhook';
import { parseJira } from '../../src/vendors/jira/webhook';
import { parseZendesk } from '../../src/vendors/zendesk/webhook';
import { fixture } from '../helpers/fixtures';

describe('parseZendesk', () => {
  it('reads an event-subscription delivery: ticket from subject, event id for dedupe', () => {
    expect(parseZendesk(fixture('webhooks/zendesk-comment-added.json'), {})).toEqual({
      kind: 'event',
      event: { entityKey: 'ticket:5158', eventType: 'ticket.comment_added', deliveryId: 'd4f5c389-8f4a-4c2e-a1b9-8e4f39c71d52' },
    });
  });

  it('reads a trigger delivery by its ticket_id, with the invocation id when Zendesk sends one', () => {
    const outcome = parseZendesk(fixture('webhooks/zendesk-trigger.json'), { 'x-zendesk-webhook-invocation-id': '8350205582' });
    expect(outcome).toEqual({
      kind: 'event',
      event: { entityKey: 'ticket:5158', eventType: 'trigger.ticket_updated', deliveryId: '8350205582' },
    });
  });

  it('ignores non-ticket events instead of storing them', () => {
    expect(parseZendesk(fixture('webhooks/zendesk-user-created.json'), {})).toEqual({
      kind: 'ignored',
      reason: expect.stringContaining('zen:event-type:user.created is not a ticket event'),
    });
  });

  it('says what is wrong with a body it cannot use', () => {
    expect(parseZendesk({ ticket_id: '{{ticket.id}}' }, {})).toEqual({ kind: 'invalid', reason: 'ticket_id must be a ticket number; got "{{ticket.id}}"' });
    expect(parseZendesk({ hello: 'world' }, {})).toEqual({ kind: 'invalid', reason: expect.stringContaining('"ticket_id": "{{ticket.id}}"') });
    expect(parseZendesk([1, 2], {})).toEqual({ kind: 'invalid', reason: 'body must be a JSON object' });
    expect(parseZendesk({ type: 'zen:event-type:ticket.status_changed', subject: 'zen:user:1', detail: {} }, {}).kind).toBe('invalid');
  });
});

describe('parseJira', () => {
  it('keys issue events by the numeric issue id and dedupes by X-Atlassian-Webhook-Identifier', () => {
    const outcome = parseJira(fixture('webhooks/jira-issue-updated.json'), {
      'x-atlassian-webhook-identifier': '3d3c0d0e-4f1b-4c57-9f0a-6e1b2c3d4e5f',
    });
    expect(outcome).toEqual({
      kind: 'event',
      event: { entityKey: 'issue:10002', eventType: 'jira:issue_updated', deliveryId: '3d3c0d0e-4f1b-4c57-9f0a-6e1b2c3d4e5f' },
    });
  });

  it('ignores events that are not about an issue and refuses bodies that are not Jira webhooks', () => {
    expect(parseJira({ webhookEvent: 'jira:version_released', version: { id: '10001' } }, {}).kind).toBe('ignored');
    expect(parseJira({ issue: { id: '10002' } }, {})).toEqual({ kind: 'invalid', reason: 'body has no webhookEvent: not a Jira webhook' });
  });
});

describe('parseFreshdesk', () => {
  it('reads the README template', () => {
    expect(parseFreshdesk(fixture('webhooks/freshdesk-ticket-updated.json'))).toEqual({
      kind: 'event',
      event: { entityKey: 'ticket:4821', eventType: 'ticket_updated', deliveryId: null },
    });
  });

  it('reads the classic freshdesk_webhook wrapper with triggered_event', () => {
    const body = { freshdesk_webhook: { triggered_event: '{ticket_action:created}', ticket_id: '11', ticket_subject: 'Test' } };
    expect(parseFreshdesk(body)).toEqual({
      kind: 'event',
      event: { entityKey: 'ticket:11', eventType: '{ticket_action:created}', deliveryId: null },
    });
  });

  it('refuses a body without a usable ticket id, saying which', () => {
    expect(parseFreshdesk({ event: 'ticket_updated' })).toEqual({ kind: 'invalid', reason: expect.stringContaining('no ticket_id') });
    expect(parseFreshdesk({ ticket_id: 'abc' })).toEqual({ kind: 'invalid', reason: 'ticket_id must be a ticket number; got "abc"' });
    expect(parseFreshdesk({ ticket_id: '0' }).kind).toBe('invalid');
  });

  it('refuses a ticket id beyond 2^53 - 1 at the door, saying so, rather than failing in the client on every retry', () => {
    expect(parseFreshdesk({ ticket_id: '12345678901234567890' })).toEqual({
      kind: 'invalid',
      reason: 'ticket_id is out of range (at most 9007199254740991); got "12345678901234567890"',
    });
    expect(parseFreshdesk({ ticket_id: 12345678901234567890 }).kind).toBe('invalid');
    expect(parseFreshdesk({ ticket_id: '9007199254740991' })).toMatchObject({ kind: 'event', event: { entityKey: 'ticket:9007199254740991' } });
  });
});

describe('parseJira on Jira Server comment events', () => {
  it('finds the issue in the comment self link when the body has no issue', () => {
    const body = {
      timestamp: 1565731154234,
      webhookEvent: 'comment_created',
      comment: { self: 'https://jira.acme.io/rest/api/2/issue/10013/comment/10082', id: '10082', body: 'Looking into it' },
    };
    expect(parseJira(body, {})).toEqual({ kind: 'event', event: { entityKey: 'issue:10013', eventType: 'comment_created', deliveryId: null } });
  });
});
