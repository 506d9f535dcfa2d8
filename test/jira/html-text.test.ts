import { bodyToText, cleanText, cutAtWord, cutText, htmlToText, removeInvalidChars, singleLine } from '../../src/jira/html-text';
import { BUG_DESCRIPTION_HTML } from './tickets';

describe('html-text (J2: bodies converted from HTML to text)', () => {
  it('J2 converts an HTML-heavy body: entities decoded, list numbered, table in columns, link shown, image skipped', () => {
    const text = htmlToText(BUG_DESCRIPTION_HTML);
    expect(text).toContain('the invoice export fails – we get a timeout after ~60 seconds.');
    expect(text).toContain('See our status page [https://acme.io/status].');
    expect(text).toMatch(/1\. Open Billing > Invoices\n\s*2\. Select "April 2024"\n\s*3\. Click Export PDF/);
    expect(text).toContain('finance cannot send 1,200 invoices & month-end close is blocked.');
    expect(text).toMatch(/Browser\s+OS\nChrome 124\s+Windows 11/);
    expect(text).not.toContain('screenshot');
    expect(text).not.toMatch(/<[a-z]/i);
    expect(text).not.toMatch(/\n{3,}/);
  });

  it('keeps heading case so section headings stay recognisable', () => {
    expect(htmlToText('<h2>Steps to reproduce</h2><p>click</p>')).toBe('Steps to reproduce\n\nclick');
  });

  it('hides a link target equal to its text and drops in-page anchors', () => {
    expect(htmlToText('<a href="https://x.io">https://x.io</a> and <a href="#top">top</a>')).toBe('https://x.io and top');
  });

  it('drops script and style content', () => {
    expect(htmlToText('<style>p{color:red}</style><p>ok</p><script>alert(1)</script>')).toBe('ok');
  });

  it('removes control characters Jira refuses but keeps newlines and tabs', () => {
    expect(removeInvalidChars('a\u0000b\u0007c\td\ne\u001Bf\u007Fg\u0085h\uFFFEi')).toBe('abc\td\nefghi');
  });

  it('removes lone surrogates and keeps paired ones (emoji)', () => {
    expect(removeInvalidChars('x\uD83Dy\uDE00z 😀')).toBe('xyz 😀');
  });

  it('normalises CRLF, non-breaking spaces, trailing spaces and blank-line runs', () => {
    expect(cleanText('  a\u00A0b  \r\n\r\n\r\n\r\nc \t\r\n')).toBe('a b\n\nc');
  });

  it('singleLine collapses every run of whitespace', () => {
    expect(singleLine('Invoice\nexport\t fails\u0000')).toBe('Invoice export fails');
  });

  it('cutText never splits a surrogate pair', () => {
    expect(cutText('ab😀', 3)).toBe('ab');
    expect(cutText('ab😀', 4)).toBe('ab😀');
  });

  it('cutAtWord prefers a word boundary near the end', () => {
    expect(cutAtWord('the quick brown fox jumps over the lazy dog', 37)).toBe('the quick brown fox jumps over the');
    expect(cutAtWord('a verylongwordwithoutanyspaces', 20)).toBe('a verylongwordwithou');
  });

  it('bodyToText prefers HTML and falls back to the plain text', () => {
    expect(bodyToText('<p>from <b>html</b></p>', 'from text')).toBe('from html');
    expect(bodyToText(null, ' from text \n')).toBe('from text');
    expect(bodyToText('   ', 'fallback')).toBe('fallback');
  });
});
