import { zendeskEventFacts } from '../../../src/vendors/zendesk/event-facts';
import { zendeskActorOf } from '../../../src/vendors/zendesk/webhook';
import { fixture } from '../../helpers/fixtures';

type Body = { type: string; detail: Record<string, unknown>; event: Record<string, unknown> };
const commentAdded = () => fixture<Body>('webhooks/zendesk-comment-added.json');
const withEvent = (kind: string, event: Record<string, unknown>): Body => ({ ...commentAdded(), type: `zen:event-type:ticket.${kind}`, event });
const ACTOR = { actorId: '8447388090495', updatedAt: '2025-01-08T14:25:30Z', created: false };

describe('zendeskEventFacts: event subscriptions', () => {
  it('reads comment_added: the comment, its author and visibility, the actor and updated_at', () => {
    expect(zendeskEventFacts(commentAdded())).toEqual({
      ...ACTOR,
      comment: { id: '9876543210', authorId: '8447388090495', public: true },
    });
  });

  it('reads a group move', () => {
    expect(zendeskEventFacts(fixture('webhooks/zendesk-group-changed.json'))).toEqual({
      actorId: '8447388090496',
      updatedAt: '2025-01-08T15:02:11Z',
      created: false,
      group: { from: '8447320466430', to: '8447320466431' },
    });
  });

  it('reads a status move in mixed capitalisation, new as open', () => {
    expect(zendeskEventFacts(fixture('webhooks/zendesk-status-changed.json'))).toMatchObject({
      updatedAt: '2025-01-08T15:10:00Z',
      status: { from: 'open', to: 'pending' },
    });
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ['an assignment from nobody', { current: '8447388090495', previous: null }, { assignee: { from: null, to: '8447388090495' } }],
    ['an unassignment', { current: null, previous: '8447388090495' }, { assignee: { from: '8447388090495', to: null } }],
    ['an assignment named by an object', { current: { id: '8447388090496', name: 'Li Wei' }, previous: { id: 8447388090495 } }, { assignee: { from: '8447388090495', to: '8447388090496' } }],
  ])('reads agent_assignment_changed: %s', (_name, event, expected) => {
    expect(zendeskEventFacts(withEvent('agent_assignment_changed', event))).toEqual({ ...ACTOR, ...expected });
  });

  it.each<[string, string | null, unknown]>([
    ['hold', 'Solved', { from: 'resolved', to: 'on_hold' }],
    ['CLOSED', 'solved', { from: 'resolved', to: 'closed' }],
    ['deleted', 'open', { from: 'open', to: null }],
  ])('reads status_changed %s <- %s', (current, previous, status) => {
    expect(zendeskEventFacts(withEvent('status_changed', { current, previous }))).toEqual({ ...ACTOR, status });
  });

  it('reads priority_changed, with none as null', () => {
    expect(zendeskEventFacts(withEvent('priority_changed', { current: 'URGENT', previous: null }))).toEqual({ ...ACTOR, priority: { from: null, to: 'urgent' } });
  });

  it('reads ticket.created as a new ticket', () => {
    expect(zendeskEventFacts(withEvent('created', {}))).toEqual({ ...ACTOR, created: true });
  });

  it('says only who and when for an event it reads no move from', () => {
    expect(zendeskEventFacts(withEvent('tags_changed', { current: ['mobile'], previous: [] }))).toEqual(ACTOR);
  });

  it('keeps the actor when the comment part is malformed', () => {
    expect(zendeskEventFacts(withEvent('comment_added', { comment: { id: { nested: true } } }))).toEqual(ACTOR);
  });

  it('agrees with zendeskActorOf', () => {
    const body = commentAdded();
    const facts = zendeskEventFacts(body);
    expect(zendeskActorOf(body)).toEqual({ actorId: facts?.actorId, updatedAt: facts?.updatedAt });
  });
});

describe('zendeskEventFacts: trigger bodies and the rest', () => {
  it('reads our README trigger template as naming no change: its date names no zone', () => {
    expect(zendeskEventFacts(fixture('webhooks/zendesk-trigger.json'))).toEqual({ actorId: null, updatedAt: null, created: false });
  });

  it('reads a trigger that says the ticket was created', () => {
    expect(zendeskEventFacts({ ticket_id: '5158', event: 'ticket_created', updated_at: '2025-01-08T10:12:07Z' })).toEqual({
      actorId: null,
      updatedAt: '2025-01-08T10:12:07Z',
      created: true,
    });
  });

  it.each<[string, unknown]>([
    ['a user event', fixture('webhooks/zendesk-user-created.json')],
    ['a trigger body without a ticket id', { event: 'ticket_updated', status: 'Open' }],
    ['an unrendered placeholder', { ticket_id: '{{ticket.id}}' }],
    ['null', null],
    ['a string', 'zen:event-type:ticket.created'],
  ])('does not understand %s', (_name, body) => {
    expect(zendeskEventFacts(body)).toBeNull();
  });
});
