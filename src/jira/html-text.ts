import { convert, type HtmlToTextOptions } from 'html-to-text';

/**
 * Ticket bodies arrive as agent-written HTML; Jira wants plain text inside ADF text nodes (J2).
 * Headings and table headers keep their case so "Steps to reproduce:" stays findable, tables
 * become aligned columns instead of run-together cells, and images (usually inline
 * screenshots with opaque URLs) are dropped.
 */
const HTML_OPTIONS: HtmlToTextOptions = {
  wordwrap: false,
  selectors: [
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true, noAnchorUrl: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } })),
  ],
};

// Jira stores text as XML-safe strings: C0/C1 controls (except tab and newline), the two
// non-characters U+FFFE/U+FFFF and unpaired surrogates make the whole request fail.
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]/g;
const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function removeInvalidChars(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(CONTROL_CHARS, '').replace(LONE_SURROGATES, '');
}

/** Trims line ends, turns exotic spaces into plain ones and keeps at most one blank line in a row. */
export function normaliseWhitespace(text: string): string {
  return text
    .replace(/[\u00A0\u2000-\u200A\u202F\u205F\u3000]/g, ' ')
    .split('\n')
    .map((line) => line.replace(/[ \t]+$/, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Plain text that is safe to put into any Jira field. */
export function cleanText(text: string): string {
  return normaliseWhitespace(removeInvalidChars(text));
}

export function htmlToText(html: string): string {
  return cleanText(convert(removeInvalidChars(html), HTML_OPTIONS));
}

/** The HTML when there is some (it keeps link targets), else the vendor's own plain text. */
export function bodyToText(html: string | null, plain: string): string {
  return html !== null && html.trim() !== '' ? htmlToText(html) : cleanText(plain);
}

/** One line, for summaries and table cells. */
export function singleLine(text: string): string {
  return cleanText(text).replace(/\s+/g, ' ').trim();
}

/**
 * The first `max` UTF-16 units without splitting a surrogate pair: half an emoji would be a
 * lone surrogate, which Jira refuses.
 */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, Math.max(0, max));
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

/** Cuts at the last space in the final fifth when there is one, so words stay whole. */
export function cutAtWord(text: string, max: number): string {
  const cut = cutText(text, max);
  if (cut.length === text.length) return cut;
  const space = cut.lastIndexOf(' ');
  return space > max * 0.8 ? cut.slice(0, space) : cut;
}
