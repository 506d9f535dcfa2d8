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

// Found by the webhook fuzz test (test/reliability/fuzz.test.ts).
describe('ids at the door: one spelling per ticket, in range, from the field that carries them', () => {
  it('names an id with leading zeros by its canonical number, so one ticket has one entity key', () => {
    expect(parseFreshdesk({ ticket_id: '0004821' })).toMatchObject({ kind: 'event', event: { entityKey: 'ticket:4821' } });
    expect(parseFreshdesk({ ticket_id: ' 4821 ' })).toMatchObject({ kind: 'event', event: { entityKey: 'ticket:4821' } });
    expect(parseZendesk({ type: 'zen:event-type:ticket.status_changed', subject: 'zen:ticket:005158', id: 'e1' }, {})).toMatchObject({
      event: { entityKey: 'ticket:5158' },
    });
    expect(parseJira({ webhookEvent: 'jira:issue_updated', issue: { id: '00010002' } }, {})).toMatchObject({ event: { entityKey: 'issue:10002' } });
  });

  it('checks the issue id a Jira comment link names like any other id', () => {
    const comment = (id: string) => ({ webhookEvent: 'comment_created', comment: { self: `https://jira.acme.io/rest/api/2/issue/${id}/comment/10082` } });
    expect(parseJira(comment('99999999999999999999'), {})).toEqual({
      kind: 'invalid',
      reason: 'comment_created: comment.self names issue 99999999999999999999, not a valid issue id (1 to 9007199254740991)',
    });
    expect(parseJira(comment('0'), {}).kind).toBe('invalid');
    expect(parseJira(comment('0010013'), {})).toMatchObject({ kind: 'event', event: { entityKey: 'issue:10013' } });
  });

  it('refuses a Jira body whose issue is not an object instead of ignoring it as "not about an issue"', () => {
    for (const issue of ['10002', 10002, true, false, 0, '', [{ id: '10002' }]]) {
      const outcome = parseJira({ webhookEvent: 'jira:issue_updated', issue }, {});
      expect(outcome).toEqual({ kind: 'invalid', reason: expect.stringMatching(/^jira:issue_updated: issue must be an object with a numeric id; got /) });
    }
    // Absent (or null): a Jira event about something else.
    expect(parseJira({ webhookEvent: 'jira:version_released', issue: null }, {}).kind).toBe('ignored');
  });

  it('names ticket.id, not ticket_id, when a Zendesk trigger body carries its id there', () => {
    expect(parseZendesk({ ticket: { id: -5 } }, {})).toEqual({ kind: 'invalid', reason: 'ticket.id must be a ticket number; got -5' });
    expect(parseZendesk({ ticket_id: null, ticket: { id: { nested: 1 } } }, {})).toEqual({
      kind: 'invalid',
      reason: 'ticket.id must be a ticket number; got {"nested":1}',
    });
    expect(parseZendesk({ ticket_id: 'abc', ticket: { id: '5158' } }, {})).toEqual({ kind: 'invalid', reason: 'ticket_id must be a ticket number; got "abc"' });
  });

  it('quotes a refused value cut short: a 1 MB ticket_id is not echoed back whole', () => {
    const outcome = parseFreshdesk({ ticket_id: 'x'.repeat(1_000_000) });
    expect(outcome.kind).toBe('invalid');
    const reason = (outcome as { reason: string }).reason;
    expect(reason.length).toBeLessThan(200);
    expect(reason).toMatch(/^ticket_id must be a ticket number; got "x{79}… \(1000002 characters\)$/);
    const jira = parseJira({ webhookEvent: 'y'.repeat(500_000), issue: { id: 'nope' } }, {});
    expect((jira as { reason: string }).reason.length).toBeLessThan(200);
  });
});
