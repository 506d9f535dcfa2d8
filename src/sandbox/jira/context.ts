import type { Request } from 'express';
import type { AdfNode } from './adf';
import { badRequest, issueNotFound } from './errors';
import type { Representer } from './represent';
import type { CommentRecord, IssueRecord, JiraState } from './state';
import type { JiraWebhooks } from './webhooks';

/** What every route module needs: the data, its JSON forms, the webhook sender and the clock. */
export interface JiraContext {
  state: JiraState;
  represent: Representer;
  webhooks: JiraWebhooks;
  now: () => Date;
}

export const API = '/rest/api/3';

export function issueOf(ctx: JiraContext, req: Request): IssueRecord {
  const idOrKey = req.params.idOrKey;
  const issue = typeof idOrKey === 'string' ? ctx.state.findIssue(idOrKey) : undefined;
  if (!issue) throw issueNotFound();
  return issue;
}

/** The JSON object body a write needs; Jira answers a missing or non-object body with 400. */
export function objectBody(req: Request): Record<string, unknown> {
  const body: unknown = req.body;
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest(['No content to map due to end-of-input']);
  return body as Record<string, unknown>;
}

export function asObject(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Adds a validated comment; the caller fires the webhooks once the whole change is done. */
export function addComment(
  ctx: JiraContext,
  issue: IssueRecord,
  actorId: string,
  body: AdfNode,
  extra: { properties?: Array<{ key: string; value: unknown }>; visibility?: unknown } = {},
): CommentRecord {
  const at = ctx.now();
  const comment: CommentRecord = {
    id: ctx.state.newCommentId(),
    issueId: issue.id,
    authorId: actorId,
    updateAuthorId: actorId,
    body,
    created: at,
    updated: at,
    properties: extra.properties ?? [],
    visibility: extra.visibility ?? null,
  };
  issue.comments.push(comment);
  issue.updated = at;
  return comment;
}

/** `properties: [{key, value}]` on create issue or create comment. */
export function readProperties(value: unknown): Array<{ key: string; value: unknown }> {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw badRequest(['properties must be an array of {key, value}']);
  return value.map((p) => {
    const prop = asObject(p);
    if (!prop || typeof prop.key !== 'string' || prop.key === '' || !('value' in prop)) {
      throw badRequest(['Each property needs a non-empty key and a value.']);
    }
    checkProperty(prop.key, prop.value);
    return { key: prop.key, value: prop.value };
  });
}

/** Jira's documented entity-property limits: key up to 255 characters, value up to 32,768. */
export function checkProperty(key: string, value: unknown): void {
  if (key.length > 255) throw badRequest([`The property key cannot be longer than 255 characters.`]);
  if (JSON.stringify(value ?? null).length > 32_768) throw badRequest([`The property '${key}' exceeds the maximum allowed size of 32768 characters.`]);
}
