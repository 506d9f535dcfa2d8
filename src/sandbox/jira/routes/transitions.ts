import type { SandboxApp } from '../../core/sandbox-app';
import { API, addComment, asObject, issueOf, objectBody, type JiraContext } from '../context';
import { badRequest, fieldErrors } from '../errors';
import { readCommentBody, type FieldErrors } from '../fields';
import type { IssueRecord } from '../state';
import type { ChangeItem } from '../webhooks';
import { DEFAULT_RESOLUTION_ID, findNamed, RESOLUTIONS, statusById, STATUSES, TRANSITIONS, type TransitionDef } from '../world';

function available(issue: IssueRecord): TransitionDef[] {
  return TRANSITIONS.filter((t) => t.from.some((name) => STATUSES[name].id === issue.statusId));
}

function resolutionName(id: string | null): string | null {
  return RESOLUTIONS.find((r) => r.id === id)?.name ?? null;
}

/** GET and POST /issue/:idOrKey/transitions, over the service-desk workflow of world.ts. */
export function transitionRoutes(http: SandboxApp, ctx: JiraContext): void {
  http.route('GET', `${API}/issue/:idOrKey/transitions`, ({ req }) => {
    const issue = issueOf(ctx, req);
    return { expand: 'transitions', transitions: available(issue).map((t) => ctx.represent.transition(t)) };
  });

  http.route('POST', `${API}/issue/:idOrKey/transitions`, ({ req, res, actor }) => {
    const issue = issueOf(ctx, req);
    const body = objectBody(req);
    const rawId = asObject(body.transition)?.id;
    if (rawId === undefined) throw badRequest(["Missing 'transition' identifier"]);
    const transition = available(issue).find((t) => t.id === String(rawId));
    if (!transition) throw badRequest([`Transition id '${String(rawId)}' is not valid for this issue.`]);

    const errors: FieldErrors = {};
    const fields = asObject(body.fields) ?? {};
    let resolutionId: string | null | undefined;
    for (const [name, value] of Object.entries(fields)) {
      if (!transition.screenFields.includes(name)) {
        errors[name] = `Field '${name}' cannot be set. It is not on the appropriate screen, or unknown.`;
      } else if (name === 'resolution') {
        const r = findNamed(RESOLUTIONS, value);
        if (!r) errors.resolution = 'The resolution selected is invalid.';
        resolutionId = r?.id;
      }
    }
    const commentOps = asObject(body.update)?.comment;
    const commentBodies = Array.isArray(commentOps)
      ? commentOps.map((op) => readCommentBody(asObject(asObject(op)?.add)?.body, errors))
      : [];
    if (Object.keys(errors).length) throw fieldErrors(errors);

    // The changelog lists resolution before status, as Jira's own transition webhooks do.
    const items: ChangeItem[] = [];
    const before = statusById(issue.statusId) ?? STATUSES.open;
    const after = STATUSES[transition.to];
    const nextResolution =
      transition.resolution === 'set' ? (resolutionId ?? DEFAULT_RESOLUTION_ID) : transition.resolution === 'clear' ? null : issue.resolutionId;
    if (nextResolution !== issue.resolutionId) {
      items.push({ field: 'resolution', fieldtype: 'jira', fieldId: 'resolution', from: issue.resolutionId, fromString: resolutionName(issue.resolutionId), to: nextResolution, toString: resolutionName(nextResolution) });
    }
    items.push({ field: 'status', fieldtype: 'jira', fieldId: 'status', from: before.id, fromString: before.name, to: after.id, toString: after.name });

    const at = ctx.now();
    issue.statusId = after.id;
    if (nextResolution !== issue.resolutionId) issue.resolutionDate = nextResolution ? at : null;
    issue.resolutionId = nextResolution;
    issue.updated = at;
    const comments = commentBodies.flatMap((c) => (c ? [addComment(ctx, issue, actor, c)] : []));

    ctx.webhooks.issueUpdated(issue, actor, 'issue_generic', items, comments[0]);
    for (const c of comments) ctx.webhooks.commentCreated(issue, c);
    res.status(204);
    return undefined;
  });
}
