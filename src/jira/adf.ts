import type { AdfDocument, AdfNode } from './types';

/**
 * Small ADF builders. Jira answers malformed ADF with a bare INVALID_INPUT that names no field,
 * so the builders make the usual mistakes impossible: no empty text node, cell and list
 * content always wrapped in a paragraph, no marks inside a code block.
 */

type Mark = NonNullable<AdfNode['marks']>[number];

/** What inline builders accept: strings become plain text, empty things are dropped. */
export type Inline = AdfNode | string | null | undefined | false;

export function text(value: string, marks: Mark[] = []): AdfNode | null {
  if (value === '') return null;
  return marks.length > 0 ? { type: 'text', text: value, marks } : { type: 'text', text: value };
}

export function strong(value: string): AdfNode | null {
  return text(value, [{ type: 'strong' }]);
}

export function em(value: string): AdfNode | null {
  return text(value, [{ type: 'em' }]);
}

export function code(value: string): AdfNode | null {
  return text(value, [{ type: 'code' }]);
}

export function link(value: string, href: string): AdfNode | null {
  return text(value === '' ? href : value, [{ type: 'link', attrs: { href } }]);
}

export function hardBreak(): AdfNode {
  return { type: 'hardBreak' };
}

function inlines(parts: readonly Inline[]): AdfNode[] {
  const out: AdfNode[] = [];
  for (const part of parts) {
    if (part === null || part === undefined || part === false) continue;
    if (typeof part === 'string') {
      const node = text(part);
      if (node !== null) out.push(node);
    } else if (part.type !== 'text' || (part.text ?? '') !== '') {
      out.push(part);
    }
  }
  return out;
}

/** A multi-line string as text nodes joined by hard breaks; Jira ignores raw newlines. */
export function lines(value: string, marks: Mark[] = []): AdfNode[] {
  const out: AdfNode[] = [];
  value.split('\n').forEach((line, i) => {
    if (i > 0) out.push(hardBreak());
    const node = text(line, marks);
    if (node !== null) out.push(node);
  });
  return out;
}

export function paragraph(...parts: Inline[]): AdfNode {
  const content = inlines(parts);
  return content.length > 0 ? { type: 'paragraph', content } : { type: 'paragraph' };
}

/** Text split into paragraphs at blank lines, lines kept with hard breaks. */
export function paragraphs(value: string, marks: Mark[] = []): AdfNode[] {
  return value
    .split(/\n{2,}/)
    .filter((block) => block.trim() !== '')
    .map((block) => paragraph(...lines(block, marks)));
}

export function heading(level: 1 | 2 | 3 | 4 | 5 | 6, ...parts: Inline[]): AdfNode {
  const content = inlines(parts);
  return content.length > 0 ? { type: 'heading', attrs: { level }, content } : { type: 'heading', attrs: { level } };
}

/** Each item is a list of inlines (one paragraph) or ready block nodes. */
export function bulletList(items: ReadonlyArray<readonly Inline[] | AdfNode>): AdfNode {
  return {
    type: 'bulletList',
    content: items.map((item) => ({
      type: 'listItem',
      content: Array.isArray(item) ? [paragraph(...(item as readonly Inline[]))] : [item as AdfNode],
    })),
  };
}

function cell(type: 'tableCell' | 'tableHeader', parts: readonly Inline[]): AdfNode {
  return { type, content: [paragraph(...parts)] };
}

export function tableHeader(...parts: Inline[]): AdfNode {
  return cell('tableHeader', parts);
}

export function tableCell(...parts: Inline[]): AdfNode {
  return cell('tableCell', parts);
}

export function tableRow(...cells: AdfNode[]): AdfNode {
  return { type: 'tableRow', content: cells };
}

export function table(...rows: AdfNode[]): AdfNode {
  return { type: 'table', attrs: { isNumberColumnEnabled: false, layout: 'default' }, content: rows };
}

export function rule(): AdfNode {
  return { type: 'rule' };
}

/** Code block text may carry no marks: Jira refuses them with INVALID_INPUT. */
export function codeBlock(value: string, language?: string): AdfNode {
  const node: AdfNode = { type: 'codeBlock' };
  if (language !== undefined) node.attrs = { language };
  if (value !== '') node.content = [{ type: 'text', text: value }];
  return node;
}

export function doc(...content: AdfNode[]): AdfDocument {
  return { version: 1, type: 'doc', content: content.length > 0 ? content : [paragraph()] };
}

// ---- ADF to plain text, for `preview` and for reading back what was sent ----

function inlineText(nodes: readonly AdfNode[] | undefined): string {
  return (nodes ?? [])
    .map((node) => {
      if (node.type === 'hardBreak') return '\n';
      if (node.type !== 'text') return inlineText(node.content);
      const value = node.text ?? '';
      const href = node.marks?.find((m) => m.type === 'link')?.attrs?.['href'];
      return typeof href === 'string' && href !== value ? `${value} <${href}>` : value;
    })
    .join('');
}

function indent(value: string, prefix: string, first = prefix): string {
  return value
    .split('\n')
    .map((line, i) => (i === 0 ? first : prefix) + line)
    .join('\n');
}

function tableText(node: AdfNode): string {
  const rows = (node.content ?? []).map((row) => (row.content ?? []).map((c) => blocksText(c.content).replace(/\n+/g, '; ')));
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.min(Math.max(widths[i] ?? 0, c.length), 30)));
  return rows.map((row) => row.map((c, i) => (i < row.length - 1 ? c.padEnd(widths[i] ?? 0) : c)).join(' | ')).join('\n');
}

function blockText(node: AdfNode): string {
  switch (node.type) {
    case 'paragraph':
      return inlineText(node.content);
    case 'heading': {
      const title = inlineText(node.content);
      const level = typeof node.attrs?.['level'] === 'number' ? node.attrs['level'] : 3;
      return `${title}\n${(level <= 2 ? '=' : '-').repeat(Math.max(3, title.length))}`;
    }
    case 'bulletList':
      return (node.content ?? []).map((item) => indent(blocksText(item.content), '  ', '- ')).join('\n');
    case 'orderedList':
      return (node.content ?? []).map((item, i) => indent(blocksText(item.content), '   ', `${i + 1}. `)).join('\n');
    case 'codeBlock':
      return indent(inlineText(node.content), '    ');
    case 'rule':
      return '----';
    case 'table':
      return tableText(node);
    default:
      return node.content ? blocksText(node.content) : inlineText([node]);
  }
}

function blocksText(nodes: readonly AdfNode[] | undefined): string {
  return (nodes ?? [])
    .map(blockText)
    .filter((t) => t !== '')
    .join('\n\n');
}

/** ADF as readable plain text: headings underlined, lists dashed, tables in columns, links with their target. */
export function adfToText(document: AdfDocument): string {
  return blocksText(document.content);
}
