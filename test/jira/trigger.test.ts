import { decideKind, type JiraTriggers } from '../../src/jira/trigger';
import { defaultJiraConfig, freshdeskTicket, zendeskTicket } from './tickets';

const defaults = defaultJiraConfig().triggers;

describe('decideKind (J1 trigger)', () => {
  it('J1 default tag jira-bug raises a bug', () => {
    expect(decideKind(freshdeskTicket({ tags: ['jira-bug'] }), defaults)).toBe('bug');
  });

  it('J1 default tag jira-request raises a request', () => {
    expect(decideKind(zendeskTicket({ tags: ['jira-request'] }), defaults)).toBe('request');
  });

  it('J1 compares tags case-insensitively', () => {
    expect(decideKind(freshdeskTicket({ tags: ['JIRA-Bug'] }), defaults)).toBe('bug');
  });

  it('J1 no trigger, no issue', () => {
    expect(decideKind(freshdeskTicket({ tags: ['billing'] }), defaults)).toBeNull();
  });

  it('J1 a bug trigger wins over a request trigger', () => {
    expect(decideKind(freshdeskTicket({ tags: ['jira-request', 'jira-bug'] }), defaults)).toBe('bug');
  });

  const withField: JiraTriggers = {
    ...defaults,
    customField: { field: 'cf_escalation_type', bugValues: ['Bug'], requestValues: ['Feature request', 'Change'] },
  };

  it('J1 a configured custom field value decides (string and multi-select)', () => {
    expect(decideKind(freshdeskTicket({ tags: [], customFields: { cf_escalation_type: 'bug' } }), withField)).toBe('bug');
    expect(decideKind(freshdeskTicket({ tags: [], customFields: { cf_escalation_type: ['Change'] } }), withField)).toBe('request');
    expect(decideKind(freshdeskTicket({ tags: [], customFields: { cf_escalation_type: 'Question' } }), withField)).toBeNull();
    expect(decideKind(freshdeskTicket({ tags: [], customFields: {} }), withField)).toBeNull();
  });

  it('J1 configured groups raise an issue; a bug group beats a request tag', () => {
    const triggers: JiraTriggers = { ...defaults, bugGroups: ['3100'], requestGroups: ['3200'] };
    expect(decideKind(freshdeskTicket({ tags: [], groupId: '3200' }), triggers)).toBe('request');
    expect(decideKind(freshdeskTicket({ tags: ['jira-request'], groupId: '3100' }), triggers)).toBe('bug');
    expect(decideKind(freshdeskTicket({ tags: [], groupId: null }), triggers)).toBeNull();
  });
});
