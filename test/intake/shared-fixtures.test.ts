import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseFreshdesk } from '../../src/vendors/freshdesk/webhook';
import { parseJira } from '../../src/vendors/jira/webhook';

/**
 * Bodies real Jira and Freshdesk instances sent, kept in ../shared/fixtures beside a checkout.
 * A clone on its own has no such folder; then these cases are skipped (the project's own
 * fixtures under test/fixtures cover the same shapes).
 */
const SHARED = path.resolve(__dirname, '..', '..', '..', 'shared', 'fixtures');
const present = existsSync(SHARED);
const describeShared = present ? describe : describe.skip;

const files = (dir: string) =>
  present && existsSync(path.join(SHARED, dir)) ? readdirSync(path.join(SHARED, dir)).filter((f) => f.endsWith('.json')) : [];

describeShared('real vendor webhook bodies (../shared/fixtures)', () => {
  it.each(files('jira-webhooks'))('Jira %s parses to an issue event', (file) => {
    const body = JSON.parse(readFileSync(path.join(SHARED, 'jira-webhooks', file), 'utf8')) as {
      issue?: { id: string };
      comment?: { self: string };
      webhookEvent?: string;
    };
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
    const body = JSON.parse(readFileSync(path.join(SHARED, 'freshdesk-webhooks', file), 'utf8')) as {
      freshdesk_webhook: { ticket_id: string; triggered_event: string };
    };
    expect(parseFreshdesk(body)).toEqual({
      kind: 'event',
      event: { entityKey: `ticket:${body.freshdesk_webhook.ticket_id}`, eventType: body.freshdesk_webhook.triggered_event, deliveryId: null },
    });
  });
});
