import { createHmac } from 'node:crypto';
import type { WebhookDispatcher, WebhookTarget } from '../core/webhook-dispatcher';
import type { Representer } from './represent';
import type { CommentRecord, IssueRecord, JiraState } from './state';

/**
 * Jira Cloud's admin webhook (System > WebHooks, with a secret): signed with the webhook's
 * secret as `X-Hub-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>`, with a delivery
 * identifier (`X-Atlassian-Webhook-Identifier`) that stays the same on every retry and a retry
 * counter (`X-Atlassian-Webhook-Retry`) starting at 0. Bodies follow the real Cloud deliveries
 * in test/fixtures/captured/jira-webhooks: issue events carry `user` and
 * `issue_event_type_name`; comment events carry only `comment` and `issue`.
 */

export interface ChangeItem {
  field: string;
  fieldtype: 'jira' | 'custom';
  fieldId: string;
  from: string | null;
  fromString: string | null;
  to: string | null;
  toString: string | null;
}

export function signedTarget(url: string, secret: string): WebhookTarget {
  // The dispatcher asks for headers once per attempt; counting the asks gives Jira's retry number.
  const attempts = new Map<string, number>();
  return {
    url,
    headers: (rawBody, deliveryId) => {
      const retry = attempts.get(deliveryId) ?? 0;
      attempts.set(deliveryId, retry + 1);
      return {
        'User-Agent': 'Atlassian Webhook HTTP Client',
        'X-Hub-Signature': `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`,
        'X-Atlassian-Webhook-Identifier': deliveryId,
        'X-Atlassian-Webhook-Retry': String(retry),
        'X-Atlassian-Webhook-Flow': 'Primary',
      };
    },
  };
}

export class JiraWebhooks {
  constructor(
    private readonly dispatcher: WebhookDispatcher,
    private readonly state: JiraState,
    private readonly represent: Representer,
    private readonly now: () => Date,
  ) {}

  private actor(accountId: string): Record<string, unknown> {
    return this.represent.user(accountId, '2') ?? { accountId };
  }

  private send(event: string, issue: IssueRecord, body: Record<string, unknown>): void {
    if (!this.dispatcher.hasTarget) return;
    this.dispatcher.emit(event, `issue:${issue.id}`, { timestamp: this.now().getTime(), webhookEvent: event, ...body });
  }

  issueCreated(issue: IssueRecord, actorId: string, items: ChangeItem[]): void {
    this.send('jira:issue_created', issue, {
      issue_event_type_name: 'issue_created',
      user: this.actor(actorId),
      issue: this.represent.webhookIssue(issue),
      changelog: { id: this.state.newChangelogId(), items },
    });
  }

  /** `eventTypeName`: issue_generic for a transition, issue_assigned, issue_commented, issue_updated. */
  issueUpdated(issue: IssueRecord, actorId: string, eventTypeName: string, items: ChangeItem[], comment?: CommentRecord): void {
    this.send('jira:issue_updated', issue, {
      issue_event_type_name: eventTypeName,
      user: this.actor(actorId),
      issue: this.represent.webhookIssue(issue),
      ...(items.length ? { changelog: { id: this.state.newChangelogId(), items } } : {}),
      ...(comment ? { comment: this.represent.comment(comment, '2') } : {}),
    });
  }

  commentCreated(issue: IssueRecord, comment: CommentRecord): void {
    this.send('comment_created', issue, { comment: this.represent.comment(comment, '2'), issue: this.represent.webhookIssue(issue) });
  }

  propertySet(issue: IssueRecord, actorId: string, key: string, value: unknown): void {
    this.send('issue_property_set', issue, { user: this.actor(actorId), issue: this.represent.webhookIssue(issue), property: { key, value } });
  }

  propertyDeleted(issue: IssueRecord, actorId: string, key: string): void {
    this.send('issue_property_deleted', issue, { user: this.actor(actorId), issue: this.represent.webhookIssue(issue), property: { key } });
  }
}
