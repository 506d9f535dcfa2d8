/**
 * Signed webhook requests for the intake benchmark, built before the measured run so that
 * signing and JSON rewriting cost the load generator nothing while it measures.
 *
 * Jira signs an admin webhook that has a secret with X-Hub-Signature: sha256=<hex
 * HMAC-SHA256(secret, raw body)> (src/vendors/jira/webhook.ts verifies it, the Jira sandbox's
 * signedTarget sends it). The delivery id X-Atlassian-Webhook-Identifier is a header the
 * signature does not cover, so each request gets a fresh one at send time for nothing.
 * Zendesk signs base64(HMAC-SHA256(secret, timestamp + raw body)) with the timestamp in a
 * header (src/sandbox/zendesk/webhooks.ts), so its requests are signed when sent.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
export const FIXTURE_NAME = 'webhook-issue-updated-reopened.json';
/** A real Jira Cloud delivery (a reopened issue), kept in the repository: test/fixtures/README.md. */
export const FIXTURE_CANDIDATES = [path.join(ROOT, 'test', 'fixtures', 'captured', 'jira-webhooks', FIXTURE_NAME)];

export interface JiraFixture {
  file: string;
  body: Record<string, unknown>;
}

export function loadJiraFixture(): JiraFixture {
  const file = FIXTURE_CANDIDATES.find((f) => existsSync(f));
  if (!file) {
    throw new Error(`The Jira webhook fixture ${FIXTURE_NAME} was not found; looked at:\n${FIXTURE_CANDIDATES.map((f) => `  ${f}`).join('\n')}`);
  }
  const body = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  if (body.webhookEvent !== 'jira:issue_updated' || !body.issue || typeof body.issue !== 'object') {
    throw new Error(`${file} is not a jira:issue_updated webhook body with an issue`);
  }
  return { file, body };
}

export interface IssueRef {
  id: string;
  key: string;
}

export function jiraSignature(secret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

/** The fixture about another issue, stamped now: issue.id, issue.key and its self links rewritten. */
export function jiraBodyFor(fixture: JiraFixture, issue: IssueRef, timestamp: number): Record<string, unknown> {
  const original = fixture.body.issue as Record<string, unknown>;
  const oldId = String(original.id);
  const oldKey = String(original.key);
  const copy = structuredClone(fixture.body);
  const target = copy.issue as Record<string, unknown>;
  target.id = issue.id;
  target.key = issue.key;
  if (typeof target.self === 'string') target.self = target.self.replace(`/issue/${oldId}`, `/issue/${issue.id}`);
  const fields = target.fields as Record<string, unknown> | undefined;
  const watches = fields?.watches as Record<string, unknown> | undefined;
  if (watches && typeof watches.self === 'string') watches.self = watches.self.replace(`/issue/${oldKey}/`, `/issue/${issue.key}/`);
  copy.timestamp = timestamp;
  return copy;
}

export interface PrebuiltRequest {
  body: string;
  /** Everything but the delivery id, which is added per request. */
  headers: Record<string, string>;
}

/**
 * `count` distinct signed bodies, cycling over `issues` (one issue: every body about it), each
 * with its own timestamp. Bodies are built and signed here, once.
 */
export function prebuildJiraRequests(fixture: JiraFixture, issues: readonly IssueRef[], count: number, secret: string): PrebuiltRequest[] {
  const out: PrebuiltRequest[] = [];
  const base = Date.now();
  for (let i = 0; i < count; i += 1) {
    const body = JSON.stringify(jiraBodyFor(fixture, issues[i % issues.length] as IssueRef, base + i));
    out.push({
      body,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'Atlassian Webhook HTTP Client',
        'x-hub-signature': jiraSignature(secret, body),
        'x-atlassian-webhook-retry': '0',
        'x-atlassian-webhook-flow': 'Primary',
      },
    });
  }
  return out;
}

/**
 * A rotating source of requests for autocannon's setupRequest: the n-th request takes prebuilt
 * body n (modulo the pool) and a fresh delivery id, so no request is a redelivery to the server
 * even once the pool wraps around. `issued` counts how many were handed out.
 */
export class RequestRotation {
  private n = 0;
  private readonly prefix = randomUUID();

  constructor(private readonly pool: readonly PrebuiltRequest[]) {
    if (pool.length === 0) throw new Error('empty request pool');
  }

  get issued(): number {
    return this.n;
  }

  /** How many requests reused a body already sent (delivery ids stay unique). */
  get wrapped(): number {
    return Math.max(0, this.n - this.pool.length);
  }

  next(): { body: string; headers: Record<string, string> } {
    const i = this.n;
    this.n += 1;
    const p = this.pool[i % this.pool.length] as PrebuiltRequest;
    return { body: p.body, headers: { ...p.headers, 'x-atlassian-webhook-identifier': `${this.prefix}-${i}` } };
  }
}

/** Zendesk's event-subscription headers for one delivery, signed now. */
export function zendeskHeaders(secret: string, rawBody: string, deliveryId: string, webhookId: string, accountId: number): Record<string, string> {
  const timestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    'content-type': 'application/json',
    'x-zendesk-webhook-signature': createHmac('sha256', secret).update(timestamp).update(rawBody).digest('base64'),
    'x-zendesk-webhook-signature-timestamp': timestamp,
    'x-zendesk-webhook-id': webhookId,
    'x-zendesk-webhook-invocation-id': deliveryId,
    'x-zendesk-account-id': String(accountId),
  };
}
