import { followUpComment, linkNote, missingInfoNote } from '../../src/jira/notes';
import { adfToText } from '../../src/jira/adf';
import { expectValidAdf } from './adf-schema';

describe('notes on the ticket (J4, J5)', () => {
  it('J4 linkNote names the key and the URL and promises mirroring', () => {
    expect(linkNote('SUP-21', 'https://acme.atlassian.net/browse/SUP-21', 'bug')).toBe(
      '<p>Jira Bug SUP-21 was raised for this ticket: ' +
        '<a href="https://acme.atlassian.net/browse/SUP-21">https://acme.atlassian.net/browse/SUP-21</a>. ' +
        'Updates will be mirrored here.</p>',
    );
  });

  it('J3/J4 a request note says the senior team reviews it', () => {
    const note = linkNote('SUP-22', 'https://acme.atlassian.net/browse/SUP-22', 'request');
    expect(note).toContain('Jira customer request SUP-22 was raised for this ticket');
    expect(note).toContain('reviewed with the senior team');
  });

  it('escapes what it quotes', () => {
    expect(linkNote('SUP-1<script>', 'https://x.io/?a=1&b="2"', 'bug')).toContain(
      'SUP-1&lt;script&gt; was raised for this ticket: <a href="https://x.io/?a=1&amp;b=&quot;2&quot;">',
    );
  });

  it('J5 missingInfoNote lists exactly what is missing and asks for those headings', () => {
    const note = missingInfoNote(['impact', 'environment'], 'SUP-21', 'https://acme.atlassian.net/browse/SUP-21');
    expect(note).toContain('<ul><li>Impact</li><li>Environment</li></ul>');
    expect(note).not.toContain('Steps to reproduce');
    expect(note).toContain('("Impact:", "Environment:")');
    expect(note).toContain('labelled needs-info');
    expect(note).toContain('<a href="https://acme.atlassian.net/browse/SUP-21">');
  });
});

describe('followUpComment (J5)', () => {
  it('J5 carries only the sections that arrived, as valid ADF', () => {
    const comment = followUpComment({ steps: null, impact: '40 customers blocked\n\nEU only', environment: 'prod EU-1' });
    expectValidAdf(comment);
    expect(adfToText(comment)).toBe(
      [
        'The ticket now has details that were missing when this issue was raised:',
        'Impact\n------',
        '40 customers blocked',
        'EU only',
        'Environment\n-----------',
        'prod EU-1',
      ].join('\n\n'),
    );
  });

  it('J5 an empty update is still valid ADF', () => {
    expectValidAdf(followUpComment({ impact: '   ' }));
  });
});
