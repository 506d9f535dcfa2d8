/**
 * Atlassian Document Format as Jira v3 checks it, by Atlassian's ADF rules: the root
 * needs version 1, type doc and a content array; text sits only in inline containers such as
 * paragraphs, never straight in a list item or table cell; a text node's text is non-empty;
 * code-block text carries no marks. Jira answers any breach with a bare INVALID_INPUT, so the
 * checker only says yes or no (plus a reason kept for the sandbox's own debugging).
 */

export interface AdfMark {
  type: string;
  attrs?: Record<string, unknown>;
}

export interface AdfNode {
  type: string;
  version?: number;
  text?: string;
  attrs?: Record<string, unknown>;
  marks?: AdfMark[];
  content?: AdfNode[];
}

/** Nodes whose children are inline (text and friends). */
const INLINE_CONTAINERS = new Set(['paragraph', 'heading', 'codeBlock']);
const INLINE_NODES = new Set(['text', 'hardBreak', 'mention', 'emoji', 'inlineCard', 'date', 'status', 'placeholder']);
const BLOCK_NODES = new Set([
  'paragraph', 'heading', 'bulletList', 'orderedList', 'codeBlock', 'blockquote', 'rule', 'panel', 'table',
  'mediaSingle', 'mediaGroup', 'expand', 'blockCard', 'embedCard', 'taskList', 'decisionList',
]);
/** Containers whose children are limited to a few types (a list holds only list items...). */
const CHILDREN: Record<string, Set<string>> = {
  bulletList: new Set(['listItem']),
  orderedList: new Set(['listItem']),
  listItem: new Set(['paragraph', 'bulletList', 'orderedList', 'codeBlock', 'mediaSingle']),
  table: new Set(['tableRow']),
  tableRow: new Set(['tableHeader', 'tableCell']),
  tableHeader: new Set([...BLOCK_NODES].filter((t) => t !== 'table')),
  tableCell: new Set([...BLOCK_NODES].filter((t) => t !== 'table')),
  blockquote: new Set(['paragraph', 'bulletList', 'orderedList', 'codeBlock', 'mediaGroup', 'mediaSingle']),
  panel: new Set(['paragraph', 'heading', 'bulletList', 'orderedList', 'blockCard', 'mediaGroup', 'mediaSingle', 'codeBlock', 'rule', 'taskList', 'decisionList']),
  expand: new Set([...BLOCK_NODES].filter((t) => t !== 'expand')),
  taskList: new Set(['taskItem', 'taskList']),
  decisionList: new Set(['decisionItem']),
  taskItem: INLINE_NODES,
  decisionItem: INLINE_NODES,
  mediaSingle: new Set(['media']),
  mediaGroup: new Set(['media']),
};
const MARKS = new Set(['strong', 'em', 'code', 'strike', 'underline', 'link', 'textColor', 'subsup', 'backgroundColor']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function allowedChildren(parent: string): Set<string> {
  if (parent === 'doc') return BLOCK_NODES;
  if (INLINE_CONTAINERS.has(parent)) return INLINE_NODES;
  return CHILDREN[parent] ?? new Set();
}

function checkNode(node: unknown, parent: string, path: string): string | null {
  if (!isObject(node) || typeof node.type !== 'string') return `${path} is not a node`;
  const type = node.type;
  if (!allowedChildren(parent).has(type)) return `${path}: ${type} is not allowed inside ${parent}`;
  if (type === 'text') {
    if (typeof node.text !== 'string' || node.text.length === 0) return `${path}: text must be a non-empty string`;
    if (node.marks !== undefined) {
      if (!Array.isArray(node.marks)) return `${path}: marks must be an array`;
      if (parent === 'codeBlock' && node.marks.length > 0) return `${path}: codeBlock text cannot carry marks`;
      for (const m of node.marks) {
        if (!isObject(m) || typeof m.type !== 'string' || !MARKS.has(m.type)) return `${path}: unknown mark`;
        if (m.type === 'link' && !(isObject(m.attrs) && typeof m.attrs.href === 'string')) return `${path}: link mark needs attrs.href`;
      }
    }
    return null;
  }
  if (type === 'heading') {
    const level = isObject(node.attrs) ? node.attrs.level : undefined;
    if (typeof level !== 'number' || level < 1 || level > 6) return `${path}: heading needs attrs.level 1-6`;
  }
  if (type === 'mention' && !(isObject(node.attrs) && typeof node.attrs.id === 'string')) return `${path}: mention needs attrs.id`;
  if (node.content === undefined) return null;
  if (!Array.isArray(node.content)) return `${path}: content must be an array`;
  for (let i = 0; i < node.content.length; i += 1) {
    const problem = checkNode(node.content[i], type, `${path}.content[${i}]`);
    if (problem) return problem;
  }
  return null;
}

/** Null when `value` is a document Jira v3 accepts, otherwise why not. */
export function adfProblem(value: unknown): string | null {
  if (!isObject(value)) return 'not an object';
  if (value.version !== 1) return 'version must be 1';
  if (value.type !== 'doc') return 'type must be doc';
  if (!Array.isArray(value.content)) return 'content must be an array';
  for (let i = 0; i < value.content.length; i += 1) {
    const problem = checkNode(value.content[i], 'doc', `content[${i}]`);
    if (problem) return problem;
  }
  return null;
}

export function isAdfDoc(value: unknown): value is AdfNode {
  return adfProblem(value) === null;
}

function markText(text: string, marks: AdfMark[] | undefined): string {
  let out = text;
  for (const m of marks ?? []) {
    if (m.type === 'strong') out = `*${out}*`;
    else if (m.type === 'em') out = `_${out}_`;
    else if (m.type === 'code') out = `{{${out}}}`;
    else if (m.type === 'strike') out = `-${out}-`;
    else if (m.type === 'underline') out = `+${out}+`;
    else if (m.type === 'link' && typeof m.attrs?.href === 'string') out = `[${out}|${m.attrs.href}]`;
  }
  return out;
}

function inline(nodes: AdfNode[] | undefined): string {
  return (nodes ?? [])
    .map((n) => {
      if (n.type === 'text') return markText(n.text ?? '', n.marks);
      if (n.type === 'hardBreak') return '\n';
      if (n.type === 'mention') return `[~accountid:${String(n.attrs?.id ?? '')}]`;
      if (n.type === 'inlineCard') return `[${String(n.attrs?.url ?? '')}|${String(n.attrs?.url ?? '')}|smart-link]`;
      if (n.type === 'emoji') return String(n.attrs?.text ?? n.attrs?.shortName ?? '');
      return '';
    })
    .join('');
}

function block(node: AdfNode, listPrefix: string): string {
  const children = node.content ?? [];
  switch (node.type) {
    case 'paragraph':
      return inline(children);
    case 'heading':
      return `h${String(node.attrs?.level ?? 1)}. ${inline(children)}`;
    case 'codeBlock': {
      const lang = typeof node.attrs?.language === 'string' ? `:${node.attrs.language}` : '';
      return `{code${lang}}${inline(children)}{code}`;
    }
    case 'rule':
      return '----';
    case 'blockquote':
      return `{quote}${children.map((c) => block(c, listPrefix)).join('\n')}{quote}`;
    case 'panel':
      return `{panel}${children.map((c) => block(c, listPrefix)).join('\n')}{panel}`;
    case 'bulletList':
    case 'orderedList': {
      const mark = listPrefix + (node.type === 'bulletList' ? '*' : '#');
      return children
        .map((item) => (item.content ?? []).map((c, i) => (c.type.endsWith('List') ? block(c, mark) : `${i === 0 ? `${mark} ` : ''}${block(c, mark)}`)).join('\n'))
        .join('\n');
    }
    case 'table':
      return children
        .map((row) =>
          (row.content ?? [])
            .map((cell) => {
              const sep = cell.type === 'tableHeader' ? '||' : '|';
              return `${sep}${(cell.content ?? []).map((c) => block(c, '')).join(' ')}`;
            })
            .join('') + ((row.content ?? [])[0]?.type === 'tableHeader' ? '||' : '|'),
        )
        .join('\n');
    default:
      return inline(children);
  }
}

/**
 * The wiki-markup string Jira puts in webhook bodies where v3 would have ADF (webhooks carry the
 * v2 form, as test/fixtures/captured shows): paragraphs separated by blank lines, *strong*, _em_, {{code}}, [text|url].
 */
export function adfToWiki(doc: AdfNode | null): string | null {
  if (!doc) return null;
  return (doc.content ?? []).map((b) => block(b, '')).join('\n\n');
}

/** A one-paragraph document, for seeded comments and descriptions. */
export function adfParagraphs(...paragraphs: string[]): AdfNode {
  return {
    version: 1,
    type: 'doc',
    content: paragraphs.map((p) => ({ type: 'paragraph', content: [{ type: 'text', text: p }] })),
  };
}
