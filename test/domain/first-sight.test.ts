import { previousFromFacts, saysSomething, type EventFacts } from '../../src/domain/first-sight';
import type { Person, Ticket, TicketComment } from '../../src/domain/ticket';

const MARIA: Person = { id: '8447388090494', name: 'Maria Keller', email: 'maria.keller@northwind.example', role: 'end-user', organisationId: '8447346622462' };
const DANA: Person = { id: '8447388090495', name: 'Dana Fox', email: 'dana.fox@aegent.example', role: 'agent', organisationId: null };

function comment(id: string, createdAt: string, author: Person = MARIA, isPublic = true): TicketComment {
  return {
    id,
    authorId: author.id,
    author,
    public: isPublic,
    incoming: author.role === 'end-user',
    bodyText: `comment ${id}`,
    bodyHtml: `<p>comment ${id}</p>`,
    createdAt,
  };
}

/** Zendesk ticket 5158 as getTicket maps it, right after Dana moved it to Tier 2 and answered. */
const CURRENT: Ticket = {
  vendor: 'zendesk',
  connectionId: 'zd-acme',
  id: '5158',
  url: 'https://acme.zendesk.com/agent/tickets/5158',
  subject: 'Cannot login to mobile app',
  descriptionText: 'Since this morning the iOS app rejects my password.',
  descriptionHtml: '<p>Since this morning the iOS app rejects my password.</p>',
  status: 'pending',
  vendorStatus: 'pending',
  priority: 'high',
  type: 'problem',
  groupId: '8447320466431',
  groupName: 'Aegent Tier 2 Support',
  assigneeId: DANA.id,
  assignee: DANA,
  requester: MARIA,
  organisation: { id: '8447346622462', name: 'Northwind', domains: ['northwind.example'] },
  tags: ['mobile', 'login'],
  customFields: { '360001234567': 'ios' },
  createdAt: '2025-01-08T10:12:07Z',
  updatedAt: '2025-01-08T14:25:30Z',
  comments: [
    comment('30112233445501', '2025-01-08T10:12:07Z'),
    comment('30112233445502', '2025-01-08T12:00:00Z', DANA, false),
    comment('30112233445503', '2025-01-08T14:25:30Z', DANA),
    comment('30112233445504', '2025-01-08T14:25:41Z'),
  ],
};

const facts = (over: Partial<EventFacts>): EventFacts => ({ actorId: DANA.id, updatedAt: '2025-01-08T14:25:30Z', created: false, ...over });
const commentIds = (t: Ticket | null) => t?.comments.map((c) => c.id);

describe('saysSomething', () => {
  it.each<[string, Partial<EventFacts>, boolean]>([
    ['actor and time only', {}, false],
    ['a null actor and no time', { actorId: null, updatedAt: null }, false],
    ['the creation', { created: true }, true],
    ['a group move', { group: { from: '8447320466430', to: '8447320466431' } }, true],
    ['an assignee move to nobody', { assignee: { from: DANA.id, to: null } }, true],
    ['a status move', { status: { from: 'open', to: 'pending' } }, true],
    ['a priority move', { priority: { from: null, to: 'high' } }, true],
    ['a Jira status move', { issueStatus: { from: 'To Do', to: 'In Progress' } }, true],
    ['a comment', { comment: { id: '30112233445503', authorId: DANA.id, public: true } }, true],
  ])('%s -> %s', (_name, over, expected) => {
    expect(saysSomething(facts(over))).toBe(expected);
  });
});

describe('previousFromFacts', () => {
  it.each<[string, Partial<EventFacts>, Partial<Ticket>]>([
    [
      'a group move sets the old group and forgets the new group name',
      { group: { from: '8447320466430', to: '8447320466431' } },
      { groupId: '8447320466430', groupName: null, assigneeId: DANA.id },
    ],
    ['a group move from no group', { group: { from: null, to: '8447320466431' } }, { groupId: null }],
    ['an assignee move sets the old assignee and forgets the person', { assignee: { from: null, to: DANA.id } }, { assigneeId: null, assignee: null }],
    ['a status move', { status: { from: 'open', to: 'pending' } }, { status: 'open', vendorStatus: 'pending' }],
    ['a status move from an unmappable status keeps the current one', { status: { from: null, to: 'pending' } }, { status: 'pending' }],
    ['a priority move from none', { priority: { from: null, to: 'high' } }, { priority: null }],
    ['a priority move', { priority: { from: 'normal', to: 'high' } }, { priority: 'normal', status: 'pending', groupId: '8447320466431' }],
  ])('%s', (_name, over, expected) => {
    const previous = previousFromFacts(CURRENT, facts(over));
    expect(previous).toMatchObject(expected);
    // Fields the facts do not name stay as fetched.
    expect(previous).toMatchObject({ id: '5158', subject: CURRENT.subject, tags: CURRENT.tags, updatedAt: CURRENT.updatedAt });
  });

  it.each<[string, Partial<EventFacts>, string[]]>([
    [
      "drops the event's own comment and the one created after the change",
      { comment: { id: '30112233445503', authorId: DANA.id, public: true } },
      ['30112233445501', '30112233445502'],
    ],
    [
      'keeps a comment stamped in the same second as the change when it is not the event\'s',
      { status: { from: 'open', to: 'pending' } },
      ['30112233445501', '30112233445502', '30112233445503'],
    ],
    [
      'keeps every comment when the change time is unknown, but still drops the event\'s own',
      { updatedAt: null, comment: { id: '30112233445502', authorId: DANA.id, public: false } },
      ['30112233445501', '30112233445503', '30112233445504'],
    ],
    [
      'keeps every comment when the change time does not parse',
      { updatedAt: 'January 08, 2025 14:25', group: { from: null, to: '8447320466431' } },
      ['30112233445501', '30112233445502', '30112233445503', '30112233445504'],
    ],
    [
      'compares instants, not text: an offset time before the last comment',
      { updatedAt: '2025-01-08T15:25:35+01:00', group: { from: null, to: '8447320466431' } },
      ['30112233445501', '30112233445502', '30112233445503'],
    ],
  ])('%s', (_name, over, expectedIds) => {
    expect(commentIds(previousFromFacts(CURRENT, facts(over)))).toEqual(expectedIds);
  });

  it.each<[string, Partial<EventFacts>]>([
    ['a created ticket', { created: true, group: { from: null, to: '8447320466431' } }],
    ['facts that say nothing', {}],
  ])('returns null for %s', (_name, over) => {
    expect(previousFromFacts(CURRENT, facts(over))).toBeNull();
  });

  it('is pure: the fetched ticket is not touched', () => {
    const before = structuredClone(CURRENT);
    const previous = previousFromFacts(CURRENT, facts({ group: { from: null, to: '8447320466431' }, comment: { id: '30112233445503', authorId: DANA.id, public: true } }));
    previous?.tags.push('changed');
    expect(CURRENT).toEqual(before);
  });

  it('sets no group name or assignee person on a ticket that never had them', () => {
    const { groupName: _g, assignee: _a, ...bare } = CURRENT;
    const previous = previousFromFacts(bare, facts({ group: { from: null, to: '8447320466431' }, assignee: { from: null, to: DANA.id } }));
    expect(previous).not.toHaveProperty('groupName');
    expect(previous).not.toHaveProperty('assignee');
  });
});
