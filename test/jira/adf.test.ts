import {
  adfToText,
  bulletList,
  codeBlock,
  doc,
  em,
  heading,
  hardBreak,
  lines,
  link,
  paragraph,
  paragraphs,
  rule,
  strong,
  table,
  tableCell,
  tableHeader,
  tableRow,
  text,
} from '../../src/jira/adf';
import { expectValidAdf } from './adf-schema';

describe('ADF builders (valid ADF, or Jira answers INVALID_INPUT)', () => {
  it('never emits an empty text node', () => {
    expect(text('')).toBeNull();
    expect(paragraph('', strong(''), em(''), null, false)).toEqual({ type: 'paragraph' });
    expect(lines('a\n\nb')).toEqual([
      { type: 'text', text: 'a' },
      { type: 'hardBreak' },
      { type: 'hardBreak' },
      { type: 'text', text: 'b' },
    ]);
    expectValidAdf(doc(paragraph(''), heading(3, ''), tableCellTable('')));
  });

  it('wraps table cells and list items in paragraphs', () => {
    const t = tableCellTable('x');
    expect(t.content?.[0]?.content?.[0]).toEqual({ type: 'tableCell', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'x' }] }] });
    const list = bulletList([['one'], paragraph('two')]);
    expect(list.content?.map((item) => item.content?.[0]?.type)).toEqual(['paragraph', 'paragraph']);
  });

  it('puts no marks into a code block and leaves an empty one without content', () => {
    expect(codeBlock('{"error":"E_TIMEOUT"}', 'json')).toEqual({
      type: 'codeBlock',
      attrs: { language: 'json' },
      content: [{ type: 'text', text: '{"error":"E_TIMEOUT"}' }],
    });
    expect(codeBlock('')).toEqual({ type: 'codeBlock' });
  });

  it('a document with every builder validates against the ADF schema', () => {
    const document = doc(
      heading(2, 'Customer report'),
      paragraph('From ', link('Zendesk #5158', 'https://acme.zendesk.com/agent/tickets/5158'), ' – priority ', strong('high'), hardBreak(), em('note')),
      ...paragraphs('first para\nsecond line\n\nsecond para'),
      bulletList([['Export fails for ', text('PDF', [{ type: 'code' }])], ['CSV works']]),
      codeBlock('{"error":"E_TIMEOUT"}', 'json'),
      table(tableRow(tableHeader('Field'), tableHeader('Value')), tableRow(tableCell('Plan'), tableCell('Enterprise'))),
      rule(),
    );
    expectValidAdf(document);
  });

  it('the schema check fails on a bare text in a table cell (the test can fail)', () => {
    const bad = doc({ type: 'table', content: [{ type: 'tableRow', content: [{ type: 'tableCell', content: [{ type: 'text', text: 'x' }] }] }] });
    expect(() => expectValidAdf(bad)).toThrow();
  });

  it('doc() of nothing is still a valid document', () => {
    expectValidAdf(doc());
  });
});

describe('adfToText (preview)', () => {
  it('renders headings, paragraphs with breaks, links, lists, tables, code and rules readably', () => {
    const document = doc(
        heading(2, 'Ticket'),
        paragraph('See ', link('FD#1', 'https://x.io/1'), hardBreak(), 'next line'),
        bulletList([['one'], ['two']]),
        table(tableRow(tableHeader('Field'), tableHeader('Value')), tableRow(tableCell('Plan'), tableCell('Enterprise'))),
        codeBlock('a = 1'),
        rule(),
        heading(3, 'Impact'),
    );
    expectValidAdf(document);
    expect(adfToText(document)).toBe(
      [
        'Ticket\n======',
        'See FD#1 <https://x.io/1>\nnext line',
        '- one\n- two',
        'Field | Value\nPlan  | Enterprise',
        '    a = 1',
        '----',
        'Impact\n------',
      ].join('\n\n'),
    );
  });
});

function tableCellTable(value: string) {
  return table(tableRow(tableCell(value)));
}
