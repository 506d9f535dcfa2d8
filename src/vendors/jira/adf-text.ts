/**
 * Jira comment bodies as plain text for the canonical JiraComment. v3 answers carry ADF
 * (Atlassian Document Format); webhook bodies and v2 answers carry wiki markup, a string kept as is.
 * The walk is tolerant: the body comes from the vendor unvalidated, and a node type Jira adds
 * tomorrow still yields its text rather than failing the issue.
 */

interface Node {
  type: string;
  text?: string;
  attrs: Record<string, unknown>;
  content: Node[];
}

function asNode(value: unknown): Node | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const raw = value as Record<string, unknown>;
  const attrs = raw.attrs && typeof raw.attrs === 'object' && !Array.isArray(raw.attrs) ? (raw.attrs as Record<string, unknown>) : {};
  const content = Array.isArray(raw.content) ? raw.content.map(asNode).filter((n): n is Node => n !== null) : [];
  const marks = Array.isArray(raw.marks) ? raw.marks : [];
  const node: Node = { type: typeof raw.type === 'string' ? raw.type : '', attrs, content };
  if (typeof raw.text === 'string') node.text = withLink(raw.text, marks);
  return node;
}

const attr = (node: Node, name: string): string | null => {
  const value = node.attrs[name];
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : null;
};

/** A link keeps its target, which plain text would otherwise lose: "the runbook <https://…>". */
function withLink(text: string, marks: unknown[]): string {
  for (const mark of marks) {
    if (!mark || typeof mark !== 'object') continue;
    const m = mark as { type?: unknown; attrs?: { href?: unknown } };
    if (m.type === 'link' && typeof m.attrs?.href === 'string' && m.attrs.href !== text) return `${text} <${m.attrs.href}>`;
  }
  return text;
}

function inline(node: Node): string {
  switch (node.type) {
    case 'text':
      return node.text ?? '';
    case 'hardBreak':
      return '\n';
    case 'mention':
      // attrs.text is the display name with its "@"; the id is an accountId nobody can read.
      return attr(node, 'text') ?? '@someone';
    case 'emoji':
      return attr(node, 'text') ?? attr(node, 'shortName') ?? '';
    case 'inlineCard':
      return attr(node, 'url') ?? '';
    case 'status':
      return attr(node, 'text') ?? '';
    case 'date': {
      const ms = Number(attr(node, 'timestamp'));
      return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : '';
    }
    default:
      return node.text ?? node.content.map(inline).join('');
  }
}

function prefixLines(value: string, first: string, rest: string = ' '.repeat(first.length)): string {
  return value
    .split('\n')
    .map((line, i) => (i === 0 ? first : rest) + line)
    .join('\n');
}

function listText(node: Node, marker: (index: number) => string): string {
  return node.content.map((item, i) => prefixLines(blocks(item.content.length ? item.content : [item], '\n'), marker(i))).join('\n');
}

function tableText(node: Node): string {
  return node.content
    .map((row) => row.content.map((cell) => blocks(cell.content, ' ').replace(/\s*\n\s*/g, ' ')).join(' | '))
    .join('\n');
}

function block(node: Node): string {
  switch (node.type) {
    case 'paragraph':
    case 'heading':
      return node.content.map(inline).join('');
    case 'bulletList':
      return listText(node, () => '- ');
    case 'orderedList': {
      const start = Number(node.attrs.order ?? 1);
      const first = Number.isInteger(start) ? start : 1;
      return listText(node, (i) => `${first + i}. `);
    }
    case 'taskList':
      return node.content.map((item) => prefixLines(block(item), item.attrs.state === 'DONE' ? '[x] ' : '[ ] ')).join('\n');
    case 'taskItem':
      return node.content.map(inline).join('');
    case 'codeBlock':
      // Fenced, so code stays recognisable where the text lands (a helpdesk note).
      return `\`\`\`\n${node.content.map(inline).join('')}\n\`\`\``;
    case 'blockquote':
      return prefixLines(blocks(node.content), '> ', '> ');
    case 'rule':
      return '---';
    case 'table':
      return tableText(node);
    case 'mediaSingle':
    case 'mediaGroup':
      return node.content.map(block).filter(Boolean).join('\n');
    case 'media':
      return `[attachment${attr(node, 'alt') ? `: ${attr(node, 'alt')}` : ''}]`;
    case 'blockCard':
    case 'embedCard':
      return attr(node, 'url') ?? '';
    case 'expand':
    case 'nestedExpand': {
      const title = attr(node, 'title');
      const body = blocks(node.content);
      return title ? `${title}\n${body}` : body;
    }
    default:
      // panel, layoutSection and whatever comes next: their blocks, or their inline text.
      return node.content.some((c) => c.content.length > 0 || c.type === 'paragraph') ? blocks(node.content) : inline(node);
  }
}

function blocks(nodes: readonly Node[], separator = '\n\n'): string {
  return nodes
    .map(block)
    .filter((t) => t.trim() !== '')
    .join(separator);
}

/** A comment or description body as readable plain text; '' for an absent body. */
export function adfToPlainText(body: unknown): string {
  if (typeof body === 'string') return body;
  const root = asNode(body);
  if (!root) return '';
  return (root.type === 'doc' ? blocks(root.content) : block(root)).trim();
}
