import { extractSections, missingSections, sectionsInText } from '../../src/jira/sections';
import { comment, freshdeskTicket, incompleteBug, priya, sam, zendeskTicket } from './tickets';

describe('extractSections (J2 steps, impact, environment)', () => {
  it('J2 reads HTML-bold headed sections of the description', () => {
    expect(extractSections(freshdeskTicket(), {})).toEqual({
      steps: '1. Open Billing > Invoices\n2. Select "April 2024"\n3. Click Export PDF',
      impact: 'finance cannot send 1,200 invoices & month-end close is blocked.',
      environment: expect.stringMatching(/^Browser\s+OS\nChrome 124\s+Windows 11$/),
    });
  });

  it.each([
    ['Steps to reproduce:\nclick', 'steps', 'click'],
    ['STEPS:\nclick', 'steps', 'click'],
    ['Repro steps\nclick', 'steps', 'click'],
    ['Reproduction steps: click', 'steps', 'click'],
    ['**Steps to reproduce**\nclick', 'steps', 'click'],
    ['Business impact: revenue', 'impact', 'revenue'],
    ['impact - \nrevenue', 'impact', null],
    ['Env: prod EU-1', 'environment', 'prod EU-1'],
    ['## Environment\nprod EU-1', 'environment', 'prod EU-1'],
  ] as const)('J2 heading %j gives %s = %j', (text, section, expected) => {
    expect(sectionsInText(text)[section]).toBe(expected);
  });

  it('J2 needs a colon when the heading is followed by text on its line', () => {
    expect(sectionsInText('Impact is huge for us\nEnvironment variables are set')).toEqual({
      steps: null,
      impact: null,
      environment: null,
    });
  });

  it('J2 a section runs to the next known heading, including an E5 heading', () => {
    const found = sectionsInText('Steps:\n1. a\n2. b\nImpact: all users\nRoot cause: config\nEnv: staging');
    expect(found).toEqual({ steps: '1. a\n2. b', impact: 'all users', environment: 'staging' });
  });

  it('J2 a heading with no body is not a section', () => {
    expect(sectionsInText('Impact:\n\nEnvironment: prod').impact).toBeNull();
  });

  it('J2 a later private note wins over the description', () => {
    const ticket = freshdeskTicket({
      comments: [
        comment({ createdAt: '2024-05-02T10:00:00Z', author: priya, public: false, bodyText: 'Environment: prod EU-1, v4.12.0' }),
        comment({ createdAt: '2024-05-03T10:00:00Z', author: sam, public: false, bodyHtml: '<p><b>Impact:</b> 40 customers blocked</p>', bodyText: '' }),
      ],
    });
    const found = extractSections(ticket, {});
    expect(found.environment).toBe('prod EU-1, v4.12.0');
    expect(found.impact).toBe('40 customers blocked');
    expect(found.steps).toContain('Click Export PDF');
  });

  it('J2 configured custom fields come first; headings fill the gaps', () => {
    const ticket = freshdeskTicket({
      customFields: { cf_steps: '<p>Open <b>invoices</b></p><p>Export</p>', cf_impact: '', cf_env: ['Chrome', 'Edge'] },
    });
    const found = extractSections(ticket, { steps: 'cf_steps', impact: 'cf_impact', environment: 'cf_env' });
    expect(found.steps).toBe('Open invoices\n\nExport');
    expect(found.impact).toBe('finance cannot send 1,200 invoices & month-end close is blocked.');
    expect(found.environment).toBe('Chrome, Edge');
  });

  it('J2 Zendesk: a private note heading is found', () => {
    expect(extractSections(zendeskTicket(), {}).impact).toBe('finance spends half a day a week rebuilding this by hand.');
  });
});

describe('missingSections (J5)', () => {
  it('J5 a bug missing impact and environment lists exactly those', () => {
    const sections = extractSections(incompleteBug(), {});
    expect(sections.steps).toBe('log in and open Dashboard.');
    expect(missingSections('bug', sections)).toEqual(['impact', 'environment']);
  });

  it('J5 a complete bug misses nothing', () => {
    expect(missingSections('bug', extractSections(freshdeskTicket(), {}))).toEqual([]);
  });

  it('J5 a request never misses anything', () => {
    expect(missingSections('request', { steps: null, impact: null, environment: null })).toEqual([]);
  });

  it('J5 whitespace-only counts as missing', () => {
    expect(missingSections('bug', { steps: ' ', impact: 'x', environment: 'y' })).toEqual(['steps']);
  });
});
