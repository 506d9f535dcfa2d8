import { eventFactsOf } from '../../src/vendors/event-facts';
import { fixture } from '../helpers/fixtures';

describe('eventFactsOf', () => {
  it('hands each vendor its own reader', () => {
    expect(eventFactsOf('zendesk', fixture('webhooks/zendesk-comment-added.json'))).toMatchObject({ comment: { id: '9876543210' } });
    expect(eventFactsOf('jira', fixture('webhooks/jira-issue-updated.json'))).toMatchObject({ issueStatus: { from: 'To Do', to: 'In Progress' } });
    expect(eventFactsOf('freshdesk', fixture('webhooks/freshdesk-group-moved.json'))).toMatchObject({ group: { from: '43000612001', to: '43000612002' } });
  });

  it('passes the Freshdesk custom statuses on', () => {
    const body = { ticket_id: '4821', triggered_event: '{status:{from:2,to:32}}' };
    expect(eventFactsOf('freshdesk', body)?.status).toEqual({ from: 'open', to: null });
    expect(eventFactsOf('freshdesk', body, { freshdeskCustomStatuses: { '32': 'on_hold' } })?.status).toEqual({ from: 'open', to: 'on_hold' });
  });

  it("does not read one vendor's body as another's", () => {
    expect(eventFactsOf('jira', fixture('webhooks/zendesk-comment-added.json'))).toBeNull();
    expect(eventFactsOf('zendesk', fixture('webhooks/jira-issue-updated.json'))).toBeNull();
    expect(eventFactsOf('freshdesk', fixture('webhooks/jira-issue-updated.json'))).toBeNull();
  });
});
