import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { jiraIssuesSchema, type JiraIssuesConfig } from '../../src/config/schema';
import type { Person, Ticket, TicketComment } from '../../src/domain/ticket';
import type { ComposeInput, IssueKind, TrailEntry } from '../../src/jira/types';

/** The shipped defaults, parsed by the real schema, so tests follow config/default.yaml. */
export function defaultJiraConfig(overrides: Partial<JiraIssuesConfig> = {}): JiraIssuesConfig {
  const file = path.join(__dirname, '..', '..', 'config', 'default.yaml');
  const yaml = parse(readFileSync(file, 'utf8')) as { jiraIssues: unknown };
  return { ...jiraIssuesSchema.parse(yaml.jiraIssues), ...overrides };
}

export const NOW = new Date('2024-05-06T09:30:00Z');

export const jane: Person = { id: '5001', name: 'Jane Doe', email: 'jane.doe@acme.io', role: 'end-user', organisationId: '77' };
export const sam: Person = { id: '9001', name: 'Sam Frontline', email: 'sam@hypertvx.com', role: 'agent', organisationId: null };
export const priya: Person = { id: '9002', name: 'Priya AppSupport', email: 'priya@hypertvx.com', role: 'agent', organisationId: null };

export const acme = { id: '77', name: 'Acme Ltd', domains: ['acme.io'] };

let nextCommentId = 100;

export function comment(overrides: Partial<TicketComment> & Pick<TicketComment, 'createdAt'>): TicketComment {
  nextCommentId += 1;
  const author = overrides.author === undefined ? sam : overrides.author;
  return {
    id: String(nextCommentId),
    authorId: author?.id ?? null,
    author,
    public: true,
    incoming: author?.role === 'end-user',
    bodyText: '',
    bodyHtml: null,
    ...overrides,
  };
}

/** The description agents actually receive: bold headings, a list, a table, links and entities. */
export const BUG_DESCRIPTION_HTML = [
  '<div dir="ltr">',
  '<p>Hi team,</p>',
  '<p>Since Monday the invoice export fails &ndash; we get a timeout after ~60&nbsp;seconds. See <a href="https://acme.io/status">our status page</a>.</p>',
  '<p><strong>Steps to reproduce:</strong></p>',
  '<ol><li>Open <em>Billing &gt; Invoices</em></li><li>Select &quot;April 2024&quot;</li><li>Click <b>Export PDF</b></li></ol>',
  '<p><b>Impact:</b> finance cannot send 1,200 invoices &amp; month-end close is blocked.</p>',
  '<p><strong>Environment</strong></p>',
  '<table><tr><th>Browser</th><th>OS</th></tr><tr><td>Chrome 124</td><td>Windows 11</td></tr></table>',
  '<p><img src="https://acme.io/screenshot.png" alt="screenshot"></p>',
  '</div>',
].join('');

export const BUG_DESCRIPTION_TEXT =
  'Hi team,\nSince Monday the invoice export fails - we get a timeout after ~60 seconds.\nSteps to reproduce:\n1. Open Billing > Invoices\n2. Select "April 2024"\n3. Click Export PDF\nImpact: finance cannot send 1,200 invoices & month-end close is blocked.\nEnvironment\nBrowser OS\nChrome 124 Windows 11';

export function freshdeskTicket(overrides: Partial<Ticket> = {}): Ticket {
  return {
    vendor: 'freshdesk',
    connectionId: 'default',
    id: '1003',
    url: 'https://acme.freshdesk.com/a/tickets/1003',
    subject: 'Invoice export fails with a timeout',
    descriptionText: BUG_DESCRIPTION_TEXT,
    descriptionHtml: BUG_DESCRIPTION_HTML,
    status: 'open',
    vendorStatus: '2',
    priority: 'high',
    type: 'Problem',
    groupId: '3100',
    assigneeId: priya.id,
    requester: jane,
    organisation: acme,
    tags: ['jira-bug', 'billing export', 'jira:SUP-7'],
    customFields: { cf_plan: 'Enterprise', cf_region: null, cf_renewal: '', cf_seats: 250, cf_vip: false },
    createdAt: '2024-05-01T08:00:00Z',
    updatedAt: '2024-05-03T16:45:00Z',
    comments: [
      comment({
        createdAt: '2024-05-01T09:15:00Z',
        author: sam,
        public: true,
        bodyHtml: '<p>Thanks Jane, we are looking into it.</p>',
        bodyText: 'Thanks Jane, we are looking into it.',
      }),
      comment({
        createdAt: '2024-05-02T10:00:00Z',
        author: priya,
        public: false,
        bodyHtml: '<p>Reproduced on EU-1 with a 1,200-invoice batch. Export worker times out at 60s.</p>',
        bodyText: 'Reproduced on EU-1 with a 1,200-invoice batch. Export worker times out at 60s.',
      }),
    ],
    ...overrides,
  };
}

/** Zendesk: the first comment is the description itself. */
export function zendeskTicket(overrides: Partial<Ticket> = {}): Ticket {
  const description = comment({
    createdAt: '2024-04-20T12:00:00Z',
    author: jane,
    public: true,
    bodyHtml: '<p>We would love a <b>CSV export</b> of the usage report, scheduled weekly.</p><ul><li>Columns as in the PDF</li><li>Sent to finance@acme.io</li></ul>',
    bodyText: 'We would love a CSV export of the usage report, scheduled weekly.\n- Columns as in the PDF\n- Sent to finance@acme.io',
  });
  return {
    vendor: 'zendesk',
    connectionId: 'partner-b',
    id: '5158',
    url: 'https://partner-b.zendesk.com/agent/tickets/5158',
    subject: 'Weekly CSV export of the usage report',
    descriptionText: description.bodyText,
    descriptionHtml: description.bodyHtml,
    status: 'pending',
    vendorStatus: 'pending',
    priority: 'normal',
    type: 'task',
    groupId: '360001',
    assigneeId: sam.id,
    requester: jane,
    organisation: acme,
    tags: ['jira-request', 'Key Account'],
    customFields: { '360005001': 'enterprise_plan' },
    createdAt: '2024-04-20T12:00:00Z',
    updatedAt: '2024-04-22T08:00:00Z',
    comments: [
      description,
      comment({
        createdAt: '2024-04-21T09:00:00Z',
        author: sam,
        public: false,
        bodyText: 'Business impact: finance spends half a day a week rebuilding this by hand.',
        bodyHtml: null,
      }),
    ],
    ...overrides,
  };
}

/** A bug whose reporter gave steps only. */
export function incompleteBug(): Ticket {
  return freshdeskTicket({
    id: '1010',
    descriptionHtml: '<p>The dashboard is blank.</p><p><b>Steps:</b> log in and open Dashboard.</p>',
    descriptionText: 'The dashboard is blank.\nSteps: log in and open Dashboard.',
    comments: [],
  });
}

/** 60 messages after the description, alternating requester replies and agent notes. */
export function longThreadTicket(count = 60, bodyLength = 120): Ticket {
  const comments: TicketComment[] = [];
  for (let i = 1; i <= count; i += 1) {
    const fromRequester = i % 2 === 1;
    const at = new Date(Date.parse('2024-05-01T10:00:00Z') + i * 3600_000).toISOString();
    const body = `Message ${i}: ${'lorem ipsum '.repeat(Math.ceil(bodyLength / 12))}`.slice(0, bodyLength);
    comments.push(
      comment({
        createdAt: at,
        author: fromRequester ? jane : priya,
        public: fromRequester,
        bodyText: body,
        bodyHtml: `<p>${body}</p>`,
      }),
    );
  }
  return freshdeskTicket({ id: '2000', url: 'https://acme.freshdesk.com/a/tickets/2000', comments });
}

export const TRAIL: TrailEntry[] = [
  { at: '2024-05-01T11:00:00Z', direction: 'escalated', from: 'CS agents', to: 'App Support', actor: 'Sam Frontline' },
  { at: '2024-05-02T15:00:00Z', direction: 'handed back', from: 'App Support', to: 'CS agents', actor: null },
];

export function composeInput(ticket: Ticket, kind: IssueKind, overrides: Partial<ComposeInput> = {}): ComposeInput {
  return {
    ticket,
    kind,
    owner: sam,
    trail: TRAIL,
    projectKey: 'SUP',
    config: defaultJiraConfig(),
    now: NOW,
    ...overrides,
  };
}
