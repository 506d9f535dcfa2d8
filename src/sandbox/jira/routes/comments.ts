import type { SandboxApp } from '../../core/sandbox-app';
import { API, addComment, issueOf, objectBody, readProperties, type JiraContext } from '../context';
import { fieldErrors } from '../errors';
import { readCommentBody, type FieldErrors } from '../fields';

/** GET and POST /issue/:idOrKey/comment. The author is whoever's credentials made the call. */
export function commentRoutes(http: SandboxApp, ctx: JiraContext): void {
  http.route('GET', `${API}/issue/:idOrKey/comment`, ({ req }) => {
    const issue = issueOf(ctx, req);
    const startAt = Math.max(0, Number(req.query.startAt ?? 0) || 0);
    // Cloud's documented default page is 100; orderBy takes created, +created or -created.
    const maxResults = Math.min(5000, Math.max(1, Number(req.query.maxResults ?? 100) || 100));
    const orderBy = typeof req.query.orderBy === 'string' ? req.query.orderBy.replace(/\s+/g, '').toLowerCase() : 'created';
    const ordered = orderBy === '-created' ? [...issue.comments].reverse() : issue.comments;
    const page = ordered.slice(startAt, startAt + maxResults).map((c) => ctx.represent.comment(c));
    return { startAt, maxResults, total: issue.comments.length, comments: page };
  });

  http.route('POST', `${API}/issue/:idOrKey/comment`, ({ req, res, actor }) => {
    const issue = issueOf(ctx, req);
    const body = objectBody(req);
    const errors: FieldErrors = {};
    const adf = readCommentBody(body.body, errors);
    const properties = readProperties(body.properties);
    if (!adf) throw fieldErrors(errors);
    const comment = addComment(ctx, issue, actor, adf, { properties, visibility: body.visibility });
    // Jira Cloud sends both for a new comment: the comment event and an issue update.
    ctx.webhooks.commentCreated(issue, comment);
    ctx.webhooks.issueUpdated(issue, actor, 'issue_commented', [], comment);
    res.status(201);
    return ctx.represent.comment(comment);
  });
}
