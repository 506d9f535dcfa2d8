import { header, numericId, shown, type Headers, type ParseOutcome, type Verification, type WebhookAdapter } from '../../intake/types';
import { hmacSha256, safeEqual } from '../../intake/signatures';

export const JIRA_SIGNATURE = 'x-hub-signature';
export const JIRA_DELIVERY_ID = 'x-atlassian-webhook-identifier';

/** Jira admin webhooks with a secret send X-Hub-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>. */
export function verifyJira(headers: Headers, rawBody: Buffer, secret: string): Verification {
  const value = header(headers, JIRA_SIGNATURE);
  if (!value) return { ok: false, reason: 'missing header X-Hub-Signature (set a secret on the Jira webhook)' };
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(value.trim());
  if (!match) return { ok: false, reason: 'X-Hub-Signature must look like sha256=<64 hex digits>' };
  const expected = hmacSha256(secret, rawBody);
  return safeEqual(expected, Buffer.from(match[1] as string, 'hex'))
    ? { ok: true }
    : { ok: false, reason: 'X-Hub-Signature does not match the body and the webhook secret' };
}

/**
 * Jira Server/Data Center comment events carry no `issue`; the comment's self link names it:
 * the digits there (null when the link names no issue), which must still be a valid issue id.
 */
function issueDigitsOfComment(comment: unknown): string | null {
  if (!comment || typeof comment !== 'object') return null;
  const self = (comment as Record<string, unknown>).self;
  const match = typeof self === 'string' ? /\/issue\/(\d+)\/comment\//.exec(self) : null;
  return match ? (match[1] as string) : null;
}

export function parseJira(body: unknown, headers: Headers): ParseOutcome {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { kind: 'invalid', reason: 'body must be a JSON object' };
  const obj = body as Record<string, unknown>;
  if (typeof obj.webhookEvent !== 'string' || !obj.webhookEvent) {
    return { kind: 'invalid', reason: 'body has no webhookEvent: not a Jira webhook' };
  }
  const event = shown(obj.webhookEvent);
  // Present but not an object (a string, a number, false, a list): a broken issue event, not one about no issue.
  if (obj.issue !== undefined && obj.issue !== null && (typeof obj.issue !== 'object' || Array.isArray(obj.issue))) {
    return { kind: 'invalid', reason: `${event}: issue must be an object with a numeric id; got ${shown(obj.issue)}` };
  }
  const issue = obj.issue ? (obj.issue as Record<string, unknown>) : null;
  const digits = issue ? null : issueDigitsOfComment(obj.comment);
  if (!issue && digits === null) return { kind: 'ignored', reason: `${event} is not about an issue` };
  if (!issue && !numericId(digits)) {
    return { kind: 'invalid', reason: `${event}: comment.self names issue ${shown(digits)}, not a valid issue id (1 to ${Number.MAX_SAFE_INTEGER})` };
  }
  const issueId = issue ? numericId(issue.id) : numericId(digits);
  if (!issueId) return { kind: 'invalid', reason: `${event} has no numeric issue.id` };
  return {
    kind: 'event',
    event: { entityKey: `issue:${issueId}`, eventType: obj.webhookEvent, deliveryId: header(headers, JIRA_DELIVERY_ID) ?? null },
  };
}

export const jiraWebhookAdapter: WebhookAdapter = {
  vendor: 'jira',
  verify: (headers, raw, secret) => verifyJira(headers, raw, secret),
  parse: parseJira,
  keptHeaders: [JIRA_DELIVERY_ID, 'x-atlassian-webhook-retry', 'x-atlassian-webhook-flow'],
};
