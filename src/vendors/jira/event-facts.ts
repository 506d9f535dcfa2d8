import { z } from 'zod';
import type { EventFacts } from '../../domain/first-sight';
import { jiraTimeToIso } from './mapper';
import { jiraId } from './schemas';

/**
 * What a Jira webhook says about its change. Jira's admin webhooks send the v2 form from Cloud
 * and Server/Data Center alike (the real deliveries in test/fixtures/captured/jira-webhooks):
 * issue events carry `user`, `issue_event_type_name` and `changelog`, comment events the
 * `comment` and often no `user`. Server names people by `name` only; the canonical model knows
 * Cloud accountIds, so a Server actor reads as unknown.
 */

const person = z.looseObject({ accountId: z.string().nullish() }).nullish().catch(null);

const changeItem = z.looseObject({
  field: z.string().nullish(),
  fieldId: z.string().nullish(),
  fromString: z.string().nullish(),
  toString: z.string().nullish(),
});

const webhookSchema = z.looseObject({
  webhookEvent: z.string().min(1),
  issue_event_type_name: z.string().nullish(),
  timestamp: z.number().nullish().catch(null),
  user: person,
  issue: z.looseObject({ fields: z.looseObject({ updated: z.string().nullish() }).nullish() }).nullish().catch(null),
  changelog: z.looseObject({ items: z.array(changeItem).nullish() }).nullish().catch(null),
  comment: z
    .looseObject({ id: jiraId, author: person, updateAuthor: person, jsdPublic: z.boolean().nullish() })
    .nullish()
    .catch(null),
});

type JiraWebhook = z.infer<typeof webhookSchema>;

/** A deleted comment is gone from the issue: there is nothing to take back out of it. */
function isCommentDeletion(body: JiraWebhook): boolean {
  return body.webhookEvent === 'comment_deleted' || body.issue_event_type_name === 'issue_comment_deleted';
}

/**
 * The actor: `user`, which comment events leave out; then a comment's author (created) or its
 * last editor (updated) is who acted.
 */
function actorOf(body: JiraWebhook): string | null {
  if (body.user?.accountId) return body.user.accountId;
  if (body.webhookEvent === 'comment_created') return body.comment?.author?.accountId ?? null;
  if (body.webhookEvent === 'comment_updated') return body.comment?.updateAuthor?.accountId ?? null;
  return null;
}

/** The issue's `updated` where the body carries it, else the delivery's own time. */
function updatedAtOf(body: JiraWebhook): string | null {
  const updated = body.issue?.fields?.updated;
  if (updated) {
    const iso = jiraTimeToIso(updated);
    if (!Number.isNaN(Date.parse(iso)) && iso.endsWith('Z')) return iso;
  }
  return typeof body.timestamp === 'number' && Number.isFinite(body.timestamp) ? new Date(body.timestamp).toISOString() : null;
}

export function jiraEventFacts(payload: unknown): EventFacts | null {
  const parsed = webhookSchema.safeParse(payload);
  if (!parsed.success) return null;
  const body = parsed.data;
  const facts: EventFacts = { actorId: actorOf(body), updatedAt: updatedAtOf(body), created: body.webhookEvent === 'jira:issue_created' };
  const statusItem = (body.changelog?.items ?? []).find((i) => i.fieldId === 'status' || i.field?.toLowerCase() === 'status');
  if (statusItem) facts.issueStatus = { from: statusItem.fromString ?? null, to: statusItem.toString ?? null };
  if (body.comment && !isCommentDeletion(body)) {
    facts.comment = { id: body.comment.id, authorId: body.comment.author?.accountId ?? null, public: body.comment.jsdPublic ?? null };
  }
  return facts;
}
