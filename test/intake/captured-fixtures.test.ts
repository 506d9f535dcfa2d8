import { readdirSync } from 'node:fs';
import path from 'node:path';
import { parseFreshdesk } from '../../src/vendors/freshdesk/webhook';
import { parseJira } from '../../src/vendors/jira/webhook';
import { fixture, FIXTURES } from '../helpers/fixtures';

/**
 * Bodies that real Jira (Cloud, Server/Data Center) and Freshdesk instances delivered, kept as
 * they came under test/fixtures/captured (test/fixtures/README.md says what each one is).
 */
const files = (dir: string) =>
  readdirSync(path.join(FIXTURES, 'captured', dir))
    .filter((f) => f.endsWith('.json'))
    .sort();

describe('real vendor webhook bodies (test/fixtures/captured)', () => {
  it('are all in the repository', () => {
    expect(files('jira-webhooks').length).toBeGreaterThanOrEqual(55);
    expect(files('freshdesk-webhooks').length).toBeGreaterThanOrEqual(3);
  });

  it.each(files('jira-webhooks'))('Jira %s parses to an issue event', (file) => {
    const body = fixture<{ issue?: { id: string }; comment?: { self: string }; webhookEvent?: string }>(`captured/jira-webhooks/${file}`);
    const outcome = parseJira(body, {});
    if (body.webhookEvent === undefined) {
      // Jira Server before 7.x sent no webhookEvent: we cannot tell what happened, and say so.
      expect(outcome).toEqual({ kind: 'invalid', reason: 'body has no webhookEvent: not a Jira webhook' });
      return;
    }
    // Server comment events carry no issue object; the comment's self link names the issue.
    const issueId = body.issue?.id ?? /\/issue\/(\d+)\/comment\//.exec(body.comment?.self ?? '')?.[1];
    expect(issueId).toMatch(/^\d+$/);
    expect(outcome).toEqual({
      kind: 'event',
      event: { entityKey: `issue:${issueId}`, eventType: body.webhookEvent, deliveryId: null },
    });
  });

  it.each(files('freshdesk-webhooks'))('Freshdesk %s parses to a ticket event', (file) => {
    const body = fixture<{ freshdesk_webhook: { ticket_id: string; triggered_event: string } }>(`captured/freshdesk-webhooks/${file}`);
    expect(parseFreshdesk(body)).toEqual({
      kind: 'event',
      event: { entityKey: `ticket:${body.freshdesk_webhook.ticket_id}`, eventType: body.freshdesk_webhook.triggered_event, deliveryId: null },
    });
  });
});
