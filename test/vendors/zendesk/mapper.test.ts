import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  mapComment,
  mapTicket,
  priorityFromZendesk,
  roleFromZendesk,
  statusFromZendesk,
  statusToZendesk,
  ticketUrl,
  type ZendeskMapContext,
} from '../../../src/vendors/zendesk/mapper';
import {
  commentSchema,
  commentsPageSchema,
  showTicketResponseSchema,
  userSchema,
  type ZendeskComment,
} from '../../../src/vendors/zendesk/schemas';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'zendesk', 'api');

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
}

function loadTicket() {
  const show = showTicketResponseSchema.parse(fixture('ticket-show.json'));
  const page = commentsPageSchema.parse(fixture('ticket-comments.json'));
  const ctx: ZendeskMapContext = {
    connectionId: 'zd-acme',
    baseUrl: 'https://acme.zendesk.com',
    users: [...show.users, ...page.users],
    organizations: show.organizations,
  };
  return { show, page, ctx };
}

function comment(overrides: Record<string, unknown>): ZendeskComment {
  return commentSchema.parse({
    id: 30112233449999,
    type: 'Comment',
    author_id: 8447388090495,
    body: 'body text',
    public: true,
    created_at: '2025-01-08T12:00:00Z',
    ...overrides,
  });
}

describe('status, priority and role mapping', () => {
  it.each([
    ['new', 'open'],
    ['open', 'open'],
    ['OPEN', 'open'],
    ['pending', 'pending'],
    ['hold', 'on_hold'],
    ['Hold', 'on_hold'],
    ['solved', 'resolved'],
    ['closed', 'closed'],
    ['deleted', null],
    ['escalated', null],
    ['hasOwnProperty', null],
  ])('reads Zendesk status %s as %s', (vendor, canonical) => {
    expect(statusFromZendesk(vendor)).toBe(canonical);
  });

  it.each([
    ['open', 'open'],
    ['pending', 'pending'],
    ['in_progress', 'open'],
    ['on_hold', 'hold'],
    ['resolved', 'solved'],
    ['closed', 'closed'],
  ] as const)('writes canonical status %s as Zendesk %s', (canonical, vendor) => {
    expect(statusToZendesk(canonical)).toBe(vendor);
  });

  it.each([
    ['urgent', 'urgent'],
    ['HIGH', 'high'],
    ['normal', 'normal'],
    ['low', 'low'],
    [null, null],
    [undefined, null],
    ['critical', null],
  ])('reads priority %s as %s', (vendor, canonical) => {
    expect(priorityFromZendesk(vendor)).toBe(canonical);
  });

  it.each([
    ['end-user', 'end-user'],
    ['agent', 'agent'],
    ['admin', 'admin'],
    ['Admin', 'admin'],
    [null, 'unknown'],
    ['light-agent', 'unknown'],
  ])('reads role %s as %s', (vendor, canonical) => {
    expect(roleFromZendesk(vendor)).toBe(canonical);
  });

  it('builds the agent link without a double slash', () => {
    expect(ticketUrl('https://acme.zendesk.com/', '5158')).toBe('https://acme.zendesk.com/agent/tickets/5158');
  });
});

describe('mapTicket', () => {
  it('keeps the description and also keeps the first comment as a comment', () => {
    const { show, page, ctx } = loadTicket();

    const ticket = mapTicket(show.ticket, page.comments, ctx);

    expect(ticket.descriptionText).toBe('Since this morning the iOS app rejects my password.\n\nThe web app works fine.');
    expect(ticket.descriptionHtml).toContain('<p dir="auto">Since this morning the iOS app rejects my password.</p>');
    expect(ticket.comments).toHaveLength(3);
    expect(ticket.comments[0]).toEqual({
      id: '30112233445501',
      authorId: '8447388090494',
      author: {
        id: '8447388090494',
        name: 'Maria Keller',
        email: 'maria.keller@northwind.example',
        role: 'end-user',
        organisationId: '8447346622462',
      },
      public: true,
      incoming: true,
      bodyText: 'Since this morning the iOS app rejects my password.\n\nThe web app works fine.',
      bodyHtml:
        '<div class="zd-comment" dir="auto"><p dir="auto">Since this morning the iOS app rejects my password.</p><p dir="auto">The web app works fine.</p></div>',
      createdAt: '2025-01-08T10:12:07Z',
    });
  });

  it('keeps the private note private and outgoing', () => {
    const { show, page, ctx } = loadTicket();

    const note = mapTicket(show.ticket, page.comments, ctx).comments[1];

    expect(note).toMatchObject({ id: '30112233445602', public: false, incoming: false, authorId: '8447388090495' });
    expect(note?.author?.role).toBe('agent');
  });

  it('falls back to body when plain_body is missing (comments created through the API)', () => {
    const { show, page, ctx } = loadTicket();

    const reply = mapTicket(show.ticket, page.comments, ctx).comments[2];

    expect(reply?.bodyText).toBe('We are investigating.');
  });

  it('keys custom fields by the field id as a string, null values included', () => {
    const { show, page, ctx } = loadTicket();

    expect(mapTicket(show.ticket, page.comments, ctx).customFields).toEqual({
      '360012345678': 'ios',
      '360012345679': null,
      '360012345680': true,
    });
  });

  it('keeps the requester id when Zendesk did not side-load the user', () => {
    const { show, page, ctx } = loadTicket();

    const ticket = mapTicket(show.ticket, page.comments, { ...ctx, users: [], organizations: [] });

    expect(ticket.requester).toEqual({
      id: '8447388090494',
      name: null,
      email: null,
      role: 'unknown',
      organisationId: '8447346622462',
    });
    expect(ticket.organisation).toBeNull();
    // Still incoming: the author is the requester even without a role to go by.
    expect(ticket.comments[0]).toMatchObject({ incoming: true, author: null, authorId: '8447388090494' });
  });

  it('maps a ticket with no comments, no requester and no subject', () => {
    const { show, ctx } = loadTicket();
    const bare = { ...show.ticket, subject: null, requester_id: null, organization_id: null, priority: null, type: null };

    const ticket = mapTicket(bare, [], ctx);

    expect(ticket).toMatchObject({
      subject: '',
      requester: null,
      organisation: null,
      priority: null,
      type: null,
      comments: [],
      descriptionHtml: null,
    });
  });

  it('refuses a status it cannot map rather than guessing', () => {
    const { show, ctx } = loadTicket();

    expect(() => mapTicket({ ...show.ticket, status: 'deleted' }, [], ctx)).toThrow(/unmappable status "deleted"/);
  });
});

describe('mapComment', () => {
  const users = new Map(
    [
      { id: 8447388090494, name: 'Maria Keller', email: 'maria.keller@northwind.example', role: 'end-user' },
      { id: 8447388090777, name: 'Colleague CC', email: 'cc@northwind.example', role: 'end-user' },
      { id: 8447388090495, name: 'Sam Agent', email: 'sam@acme.example', role: 'agent' },
    ].map((u) => {
      const parsed = userSchema.parse(u);
      return [parsed.id, parsed] as const;
    }),
  );

  it('counts a comment by another end-user (a CC) as incoming', () => {
    expect(mapComment(comment({ author_id: 8447388090777 }), '8447388090494', users).incoming).toBe(true);
  });

  it('counts an agent comment as outgoing', () => {
    expect(mapComment(comment({ author_id: 8447388090495 }), '8447388090494', users).incoming).toBe(false);
  });

  it('handles a system comment without author', () => {
    const mapped = mapComment(comment({ author_id: null, body: 'Merged into #5200' }), '8447388090494', users);

    expect(mapped).toMatchObject({ authorId: null, author: null, incoming: false, bodyText: 'Merged into #5200', bodyHtml: null });
  });

  it('prefers plain_body over body, which may hold Markdown', () => {
    const mapped = mapComment(comment({ body: '**Done**', plain_body: 'Done', html_body: '<p><strong>Done</strong></p>' }), null, users);

    expect(mapped).toMatchObject({ bodyText: 'Done', bodyHtml: '<p><strong>Done</strong></p>' });
  });
});

describe('comment attachments', () => {
  const users = new Map<string, ReturnType<typeof userSchema.parse>>();

  it('lists the files Zendesk attached, skipping a redacted one without a link', () => {
    const page = commentsPageSchema.parse(fixture('ticket-comments-attachments.json'));
    const [plain, withFiles] = page.comments.map((c) => mapComment(c, '8447388090494', users));

    expect(plain).not.toHaveProperty('attachments');
    expect(withFiles?.attachments).toEqual([
      { name: 'login-error.png', url: 'https://acme.zendesk.com/attachments/token/Xk2pQ7rT9vLm3Nc/?name=login-error.png' },
    ]);
  });
});
