/**
 * Comment bodies as Zendesk stores them: a comment written with `body` gets an html_body
 * wrapped in Zendesk's `zd-comment` div; one written with `html_body` gets a plain-text body
 * with the tags stripped. Good enough for a sandbox; Zendesk's own Markdown rendering is not
 * reproduced.
 */

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&nbsp;': ' ' };

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function textToHtml(text: string): string {
  const paragraphs = text
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`);
  return `<div class="zd-comment" dir="auto">${paragraphs.join('')}</div>`;
}

export function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|h[1-6])>/gi, '\n\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (m) => ENTITIES[m] ?? m)
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Zendesk's html_body for a comment written as HTML: the author's markup inside the zd-comment div. */
export function wrapHtml(html: string): string {
  return html.includes('class="zd-comment"') ? html : `<div class="zd-comment" dir="auto">${html}</div>`;
}
