import { adfToText } from '../../src/jira/adf';
import {
  composeIssue,
  composeLabels,
  composeSummary,
  descriptionSize,
  identityLabel,
  selectMessages,
  slugifyLabel,
  ticketGlobalId,
  trimBody,
} from '../../src/jira/compose';
import type { AdfDocument, AdfNode, ComposedIssue } from '../../src/jira/types';
import { expectValidAdf } from './adf-schema';
import {
  comment,
  composeInput,
  defaultJiraConfig,
  freshdeskTicket,
  incompleteBug,
  jane,
  longThreadTicket,
  sam,
  zendeskTicket,
} from './tickets';

/** Every composed issue's description must be valid ADF before anything else is looked at. */
function compose(...args: Parameters<typeof composeInput>): ComposedIssue {
  const issue = composeIssue(composeInput(...args));
  expectValidAdf(issue.fields.description);
  return issue;
}

function nodeText(node: AdfNode): string {
  return adfToText({ version: 1, type: 'doc', content: [node] });
}

function headings(document: AdfDocument): string[] {
  return document.content.filter((n) => n.type === 'heading').map(nodeText).map((t) => t.split('\n')[0] ?? '');
}

/** The blocks under a heading, up to the next heading of the same or a higher level. */
function section(document: AdfDocument, title: string): AdfNode[] {
  const start = document.content.findIndex((n) => n.type === 'heading' && nodeText(n).startsWith(`${title}\n`));
  if (start < 0) throw new Error(`no section ${title}`);
  const level = document.content[start]?.attrs?.['level'] as number;
  const rest = document.content.slice(start + 1);
  const end = rest.findIndex((n) => n.type === 'heading' && (n.attrs?.['level'] as number) <= level);
  return end < 0 ? rest : rest.slice(0, end);
}

function sectionText(document: AdfDocument, title: string): string {
  return section(document, title).map(nodeText).join('\n\n');
}

function tableRows(document: AdfDocument): Record<string, string> {
  const tableNode = section(document, 'Ticket').find((n) => n.type === 'table');
  const rows: Record<string, string> = {};
  for (const row of tableNode?.content ?? []) {
    const [label, value] = (row.content ?? []).map(nodeText);
    rows[label ?? ''] = value ?? '';
  }
  return rows;
}

/** Message header paragraphs of the communication summary, as text. */
function messageHeaders(document: AdfDocument): string[] {
  return section(document, 'Communication summary')
    .map(nodeText)
    .filter((t) => / UTC · .* \((requester|agent|unknown)\) · /.test(t));
}

describe('composeIssue: a complete Freshdesk bug (J2, J3)', () => {
  const issue = compose(freshdeskTicket(), 'bug');
  const description = issue.fields.description;

  it('J2 summary is "<subject> (FD#<id>)"', () => {
    expect(issue.fields.summary).toBe('Invoice export fails with a timeout (FD#1003)');
  });

  it('J3 a bug is issue type Bug in the configured project, priority mapped', () => {
    expect(issue.fields.project).toEqual({ key: 'SUP' });
    expect(issue.fields.issuetype).toEqual({ name: 'Bug' });
    expect(issue.fields.priority).toEqual({ name: 'High' });
  });

  it('J1/J3 labels: configured, ticket tags slugified, identity label, never the key tag', () => {
    expect(issue.fields.labels).toEqual(['helpdesk-sync', 'jira-bug', 'billing-export', 'hs-freshdesk-default-1003']);
    expect(issue.fields.labels.some((l) => l.includes('sup-7'))).toBe(false);
  });

  it('J1 the ticket identity travels as an entity property', () => {
    expect(issue.properties).toEqual([
      {
        key: 'helpdesk-sync',
        value: { vendor: 'freshdesk', connectionId: 'default', ticketId: '1003', url: 'https://acme.freshdesk.com/a/tickets/1003' },
      },
    ]);
  });

  it('J5 a complete bug misses nothing and is not truncated', () => {
    expect(issue.missing).toEqual([]);
    expect(issue.fields.labels).not.toContain('needs-info');
    expect(issue.truncated).toBe(false);
  });

  it('J2 sections come in the agreed order', () => {
    expect(headings(description)).toEqual([
      'Requester',
      'Internal contact',
      'Ticket',
      'Communication summary',
      'Steps to reproduce',
      'Impact',
      'Environment',
      'Escalation trail',
    ]);
  });

  it('J2 requester with name, email and organisation; the owner as internal contact', () => {
    expect(sectionText(description, 'Requester')).toBe('- Name: Jane Doe\n- Email: jane.doe@acme.io\n- Organisation: Acme Ltd');
    expect(sectionText(description, 'Internal contact')).toBe('- Name: Sam Frontline\n- Email: sam@hypertvx.com');
  });

  it('J2 ticket table: vendor, linked id, subject, both statuses, non-empty custom fields, times', () => {
    expect(tableRows(description)).toEqual({
      Field: 'Value',
      Vendor: 'Freshdesk',
      Ticket: 'FD#1003 <https://acme.freshdesk.com/a/tickets/1003>',
      Subject: 'Invoice export fails with a timeout',
      Status: 'open (Freshdesk status: 2)',
      Priority: 'high',
      Type: 'Problem',
      Group: '3100',
      Tags: 'jira-bug, billing export, jira:SUP-7',
      'Custom fields': 'cf_plan: Enterprise\ncf_seats: 250\ncf_vip: false',
      Created: '2024-05-01 08:00 UTC',
      Updated: '2024-05-03 16:45 UTC',
    });
    const link = section(description, 'Ticket')[0]?.content?.[2]?.content?.[1]?.content?.[0]?.content?.[0];
    expect(link?.marks).toEqual([{ type: 'link', attrs: { href: 'https://acme.freshdesk.com/a/tickets/1003' } }]);
  });

  it('J2 communication: the Freshdesk description counts as the first message, then every reply and note oldest first', () => {
    expect(messageHeaders(description)).toEqual([
      '2024-05-01 08:00 UTC · Jane Doe (requester) · public reply',
      '2024-05-01 09:15 UTC · Sam Frontline (agent) · public reply',
      '2024-05-02 10:00 UTC · Priya AppSupport (agent) · private note',
    ]);
    const text = sectionText(description, 'Communication summary');
    expect(text).toContain('See our status page [https://acme.io/status].');
    expect(text).toContain('Reproduced on EU-1 with a 1,200-invoice batch.');
  });

  it('J2 steps, impact and environment carry the section texts', () => {
    expect(sectionText(description, 'Steps to reproduce')).toBe('1. Open Billing > Invoices\n2. Select "April 2024"\n3. Click Export PDF');
    expect(sectionText(description, 'Impact')).toBe('finance cannot send 1,200 invoices & month-end close is blocked.');
    expect(sectionText(description, 'Environment')).toMatch(/^Browser\s+OS\nChrome 124\s+Windows 11$/);
  });

  it('J2 escalation trail lists each handoff', () => {
    expect(sectionText(description, 'Escalation trail')).toBe(
      '- 2024-05-01 11:00 UTC · escalated: CS agents → App Support (by Sam Frontline)\n' +
        '- 2024-05-02 15:00 UTC · handed back: App Support → CS agents',
    );
  });

  it('adfToText (preview) shows every section', () => {
    const preview = adfToText(description);
    for (const title of headings(description)) expect(preview).toContain(`${title}\n`);
    expect(preview).toContain('Raised by helpdesk-sync from Freshdesk ticket FD#1003');
    expect(preview).toContain('as of 2024-05-06 09:30 UTC');
  });
});

describe('composeIssue: a Zendesk customer request (J3)', () => {
  const issue = compose(zendeskTicket(), 'request');
  const description = issue.fields.description;

  it('J3 a request becomes the configured type with customer-request and senior-team-review', () => {
    expect(issue.fields.issuetype).toEqual({ name: 'Story' });
    expect(issue.fields.summary).toBe('Weekly CSV export of the usage report (ZD#5158)');
    expect(issue.fields.priority).toEqual({ name: 'Medium' });
    expect(issue.fields.labels).toEqual([
      'helpdesk-sync',
      'jira-request',
      'key-account',
      'customer-request',
      'senior-team-review',
      'hs-zendesk-partner-b-5158',
    ]);
  });

  it('J5 a request is never flagged needs-info even without steps or environment', () => {
    expect(issue.missing).toEqual([]);
    expect(issue.fields.labels).not.toContain('needs-info');
  });

  it('J2 the Zendesk description (first comment) is printed once', () => {
    const text = sectionText(description, 'Communication summary');
    expect(text.split('We would love a CSV export').length - 1).toBe(1);
    expect(messageHeaders(description)).toEqual([
      '2024-04-20 12:00 UTC · Jane Doe (requester) · public reply',
      '2024-04-21 09:00 UTC · Sam Frontline (agent) · private note',
    ]);
  });

  it('J2 absent sections read "Not provided" in italics; the note\'s business impact is used', () => {
    const steps = section(description, 'Steps to reproduce');
    expect(steps).toEqual([{ type: 'paragraph', content: [{ type: 'text', text: 'Not provided', marks: [{ type: 'em' }] }] }]);
    expect(sectionText(description, 'Impact')).toBe('finance spends half a day a week rebuilding this by hand.');
  });
});

describe('composeIssue: edge cases', () => {
  it('J5 an incomplete bug is raised anyway, labelled needs-info, with the missing parts listed', () => {
    const issue = compose(incompleteBug(), 'bug');
    expect(issue.missing).toEqual(['impact', 'environment']);
    expect(issue.fields.labels).toContain('needs-info');
    expect(issue.fields.labels[issue.fields.labels.length - 1]).toBe('needs-info');
    expect(sectionText(issue.fields.description, 'Steps to reproduce')).toBe('log in and open Dashboard.');
    expect(sectionText(issue.fields.description, 'Environment')).toBe('Not provided');
  });

  it('J2 no owner and no trail are said plainly', () => {
    const issue = compose(freshdeskTicket(), 'bug', { owner: null, trail: [] });
    expect(sectionText(issue.fields.description, 'Internal contact')).toBe('not recorded yet');
    expect(sectionText(issue.fields.description, 'Escalation trail')).toBe('No handoffs recorded');
  });

  it('no priority on the ticket, no priority field', () => {
    expect(compose(freshdeskTicket({ priority: null }), 'bug').fields.priority).toBeUndefined();
  });

  it('J2 a 60-message thread keeps the first two and the latest 38 and says 21 were left out', () => {
    const issue = compose(longThreadTicket(60), 'bug');
    const description = issue.fields.description;
    const headers = messageHeaders(description);
    expect(headers).toHaveLength(40);
    const text = sectionText(description, 'Communication summary');
    expect(text).toContain('… 21 messages left out …');
    expect(text).toContain('Message 1:');
    expect(text).not.toMatch(/Message (2|22):/);
    expect(text).toContain('Message 23:');
    expect(text).toContain('Message 60:');
    expect(text.indexOf('Message 1:')).toBeLessThan(text.indexOf('… 21 messages left out …'));
    expect(text.indexOf('… 21 messages left out …')).toBeLessThan(text.indexOf('Message 23:'));
    expect(issue.truncated).toBe(false);
  });

  it('J2 a long body is trimmed to maxMessageChars with a visible count of what went', () => {
    const long = `Log excerpt: ${'timeout at worker-7 '.repeat(200)}`.trim();
    const ticket = freshdeskTicket({ comments: [comment({ createdAt: '2024-05-02T10:00:00Z', bodyText: long })] });
    const text = sectionText(compose(ticket, 'bug').fields.description, 'Communication summary');
    const match = /Log excerpt: (.*) \[… trimmed, (\d+) more characters\]/.exec(text);
    expect(match).not.toBeNull();
    const kept = `Log excerpt: ${match?.[1] ?? ''}`;
    expect(kept.length).toBeLessThanOrEqual(1500);
    expect(kept.length).toBeGreaterThan(1400);
    expect(kept.length + Number(match?.[2])).toBe(long.length);
  });

  it('J2 the whole description stays under maxDescriptionChars: middle bodies cut first, latest kept, truncated flagged', () => {
    const ticket = longThreadTicket(60, 1400);
    const issue = compose(ticket, 'bug');
    const description = issue.fields.description;
    expect(issue.truncated).toBe(true);
    expect(descriptionSize(description)).toBeLessThanOrEqual(30000);
    const text = sectionText(description, 'Communication summary');
    const latest = ticket.comments[59]?.bodyText ?? '';
    expect(text).toContain(latest);
    expect(text).toMatch(/Message 23: [^\n]*\[… trimmed, \d+ more characters\]/);
    expect(sectionText(description, 'Escalation trail')).toContain(
      "This description was shortened to fit Jira's size limit. The full conversation is on the ticket: FD#2000 <https://acme.freshdesk.com/a/tickets/2000>",
    );
    const last = description.content[description.content.length - 1];
    expect(last?.content?.[1]?.marks).toEqual([{ type: 'link', attrs: { href: 'https://acme.freshdesk.com/a/tickets/2000' } }]);
    // The opening report survives whole while there is middle left to cut.
    expect(text).toContain('Since Monday the invoice export fails');
    expect(text).not.toMatch(/Click Export PDF \[… trimmed/);
  });

  it('J2 even a tiny description budget gives valid ADF within the limit', () => {
    const config = defaultJiraConfig();
    const tight = { ...config, communication: { ...config.communication, maxDescriptionChars: 4000 } };
    const issue = compose(longThreadTicket(60, 1400), 'bug', { config: tight });
    expect(issue.truncated).toBe(true);
    expect(descriptionSize(issue.fields.description)).toBeLessThanOrEqual(4000);
    expect(adfToText(issue.fields.description)).toContain('This description was shortened');
  });

  it('control characters never reach Jira, in the summary or the description', () => {
    const ticket = freshdeskTicket({
      subject: 'Export\u0000 fails\r\nagain\u0007 \uD800',
      descriptionHtml: null,
      descriptionText: 'Bell\u0007 here\u001B and a lone \uDC00 surrogate',
    });
    const issue = compose(ticket, 'bug');
    expect(issue.fields.summary).toBe('Export fails again (FD#1003)');
    const json = JSON.stringify(issue.fields.description);
    expect(json).toContain('Bell here and a lone  surrogate');
    expect(json).not.toMatch(/\\u00(0[0-8]|1[0-9a-f]|7f)/i);
    expect(json).not.toMatch(/\\ud[89ab]/i);
  });
});

describe('composeSummary (J2)', () => {
  it('cuts a very long subject with an ellipsis and keeps the ticket suffix, 255 chars at most', () => {
    const subject = `Export ${'very '.repeat(100)}slow`;
    const summary = composeSummary(freshdeskTicket({ subject }));
    expect(summary).toHaveLength(255);
    expect(summary.endsWith('… (FD#1003)')).toBe(true);
    expect(summary.startsWith('Export very very')).toBe(true);
  });

  it('an empty subject still names the ticket', () => {
    expect(composeSummary(zendeskTicket({ subject: '  ' }))).toBe('(no subject) (ZD#5158)');
  });
});

describe('labels (no spaces, which Jira refuses; J3, J5)', () => {
  const config = defaultJiraConfig();

  it('slugifies: lower case, spaces and odd characters become single dashes', () => {
    expect(slugifyLabel('  Key Account / EMEA  ')).toBe('key-account-emea');
    expect(slugifyLabel('Größe_1.2')).toBe('größe_1.2');
    expect(slugifyLabel('!!!')).toBe('');
    expect(slugifyLabel('x'.repeat(300))).toHaveLength(255);
  });

  it('dedupes tags that slugify alike and drops the key tag whatever its case', () => {
    const ticket = freshdeskTicket({ tags: ['Billing Export', 'billing-export', 'JIRA:SUP-9', 'helpdesk-sync', '  '] });
    expect(composeLabels(ticket, 'bug', [], config)).toEqual(['helpdesk-sync', 'billing-export', 'hs-freshdesk-default-1003']);
  });

  it('copyTicketTags false copies no tags but keeps the J3 and identity labels', () => {
    const labels = composeLabels(zendeskTicket(), 'request', [], { ...config, copyTicketTags: false });
    expect(labels).toEqual(['helpdesk-sync', 'customer-request', 'senior-team-review', 'hs-zendesk-partner-b-5158']);
  });

  it('J5 needs-info only for a bug that misses something', () => {
    expect(composeLabels(freshdeskTicket(), 'bug', ['impact'], config)).toContain('needs-info');
    expect(composeLabels(freshdeskTicket(), 'request', ['impact'], config)).not.toContain('needs-info');
  });
});

describe('identity (J1, J4)', () => {
  it('identityLabel and ticketGlobalId name vendor, connection and ticket', () => {
    expect(identityLabel(zendeskTicket())).toBe('hs-zendesk-partner-b-5158');
    expect(ticketGlobalId(zendeskTicket())).toBe('helpdesk-sync:zendesk:partner-b:ticket:5158');
    expect(ticketGlobalId(freshdeskTicket()).length).toBeLessThanOrEqual(255);
  });
});

describe('thread helpers (J2)', () => {
  it('selectMessages keeps everything under the limit', () => {
    const messages = [1, 2, 3].map((i) => ({ at: '', author: 'a', role: 'agent' as const, public: true, text: String(i) }));
    expect(selectMessages(messages, 3).map((e) => e.kind)).toEqual(['message', 'message', 'message']);
    expect(selectMessages(messages, 2)).toEqual([
      { kind: 'message', message: messages[0] },
      { kind: 'gap', count: 1 },
      { kind: 'message', message: messages[2] },
    ]);
  });

  it('trimBody to zero leaves only the marker', () => {
    expect(trimBody('abcdef', 0)).toBe('[… trimmed, 6 more characters]');
    expect(trimBody('abc', 3)).toBe('abc');
  });

  it('an author without a name falls back to email, and an unknown author is said so', () => {
    const ticket = freshdeskTicket({
      comments: [
        comment({ createdAt: '2024-05-02T10:00:00Z', author: { ...jane, name: null }, bodyText: 'hello' }),
        comment({ createdAt: '2024-05-02T11:00:00Z', author: null, authorId: null, incoming: false, bodyText: 'system' }),
        comment({ createdAt: '2024-05-02T12:00:00Z', author: { ...sam }, bodyText: '' }),
      ],
    });
    const issue = compose(ticket, 'bug');
    expect(messageHeaders(issue.fields.description).slice(1)).toEqual([
      '2024-05-02 10:00 UTC · jane.doe@acme.io (requester) · public reply',
      '2024-05-02 11:00 UTC · unknown author (unknown) · public reply',
      '2024-05-02 12:00 UTC · Sam Frontline (agent) · public reply',
    ]);
    expect(sectionText(issue.fields.description, 'Communication summary')).toContain('(no text)');
  });
});
