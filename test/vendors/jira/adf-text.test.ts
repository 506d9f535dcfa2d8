import { adfToPlainText } from '../../../src/vendors/jira/adf-text';

const doc = (...content: unknown[]) => ({ version: 1, type: 'doc', content });
const p = (...content: unknown[]) => ({ type: 'paragraph', content });
const t = (text: string, marks?: unknown[]) => ({ type: 'text', text, ...(marks ? { marks } : {}) });
const cell = (type: 'tableHeader' | 'tableCell', text: string) => ({ type, content: [p(t(text))] });

describe('adfToPlainText', () => {
  it('reads an ADF document with a heading, a link, a list, a code block and a table', () => {
    const body = doc(
      { type: 'heading', attrs: { level: 3 }, content: [t('Customer report')] },
      p(
        t('From '),
        t('Zendesk #5158', [{ type: 'link', attrs: { href: 'https://acme.zendesk.com/agent/tickets/5158' } }]),
        t(' – priority '),
        t('high', [{ type: 'strong' }]),
      ),
      { type: 'bulletList', content: [{ type: 'listItem', content: [p(t('Export fails for '), t('PDF', [{ type: 'code' }]))] }] },
      { type: 'codeBlock', attrs: { language: 'json' }, content: [t('{"error":"E_TIMEOUT"}')] },
      {
        type: 'table',
        content: [
          { type: 'tableRow', content: [cell('tableHeader', 'Field'), cell('tableHeader', 'Value')] },
          { type: 'tableRow', content: [cell('tableCell', 'Plan'), cell('tableCell', 'Enterprise')] },
        ],
      },
    );
    expect(adfToPlainText(body)).toBe(
      [
        'Customer report',
        'From Zendesk #5158 <https://acme.zendesk.com/agent/tickets/5158> – priority high',
        '- Export fails for PDF',
        '```\n{"error":"E_TIMEOUT"}\n```',
        'Field | Value\nPlan | Enterprise',
      ].join('\n\n'),
    );
  });

  it('writes mentions by their display text and keeps hard breaks', () => {
    const body = doc(
      p(
        { type: 'mention', attrs: { id: '5b10a2844c20165700ede21g', text: '@Priya Singh', accessLevel: '' } },
        t(' can you check the logs?'),
        { type: 'hardBreak' },
        t('Thanks'),
      ),
    );
    expect(adfToPlainText(body)).toBe('@Priya Singh can you check the logs?\nThanks');
  });

  it('numbers ordered lists from their start and indents nested lists', () => {
    const body = doc({
      type: 'orderedList',
      attrs: { order: 3 },
      content: [
        { type: 'listItem', content: [p(t('Open the export page'))] },
        {
          type: 'listItem',
          content: [p(t('Pick March')), { type: 'bulletList', content: [{ type: 'listItem', content: [p(t('PDF fails'))] }, { type: 'listItem', content: [p(t('CSV works'))] }] }],
        },
      ],
    });
    expect(adfToPlainText(body)).toBe('3. Open the export page\n4. Pick March\n   - PDF fails\n   - CSV works');
  });

  it('reads quotes, rules, panels, cards, emoji, task lists and unknown nodes', () => {
    const body = doc(
      { type: 'blockquote', content: [p(t('It worked yesterday'))] },
      { type: 'rule' },
      { type: 'panel', attrs: { panelType: 'info' }, content: [p(t('Known issue'))] },
      p({ type: 'inlineCard', attrs: { url: 'https://status.acme.io/incidents/42' } }, t(' '), { type: 'emoji', attrs: { shortName: ':thumbsup:', text: '👍' } }),
      { type: 'taskList', content: [{ type: 'taskItem', attrs: { state: 'DONE' }, content: [t('Reproduce')] }, { type: 'taskItem', attrs: { state: 'TODO' }, content: [t('Fix')] }] },
      { type: 'someFutureBlock', content: [p(t('still readable'))] },
      { type: 'mediaSingle', content: [{ type: 'media', attrs: { type: 'file', id: 'a1b2', alt: 'screenshot.png' } }] },
    );
    expect(adfToPlainText(body)).toBe(
      ['> It worked yesterday', '---', 'Known issue', 'https://status.acme.io/incidents/42 👍', '[x] Reproduce\n[ ] Fix', 'still readable', '[attachment: screenshot.png]'].join('\n\n'),
    );
  });

  it('keeps a wiki-markup string (v2 bodies, webhooks) as it is', () => {
    expect(adfToPlainText('Thanks [~accountid:5b10a2844c20165700ede21g], *fixed* in {{v2.3}}')).toBe(
      'Thanks [~accountid:5b10a2844c20165700ede21g], *fixed* in {{v2.3}}',
    );
  });

  it.each([null, undefined, 42, [], { type: 'doc' }, { version: 1, type: 'doc', content: 'not a list' }])('gives empty text for %p', (body) => {
    expect(adfToPlainText(body)).toBe('');
  });
});
