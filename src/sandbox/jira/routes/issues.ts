import type { SandboxApp } from '../../core/sandbox-app';
import { API, addComment, asObject, issueOf, objectBody, readProperties, type JiraContext } from '../context';
import { badRequest, fieldErrors } from '../errors';
import { applyPatch, readFields, readUpdate, type FieldErrors } from '../fields';
import { fieldSelection } from '../represent';
import type { IssueRecord } from '../state';
import type { ChangeItem } from '../webhooks';
import { DEFAULT_PRIORITY_ID, findNamed, findProject, ISSUE_TYPES, STATUSES } from '../world';

/** POST /issue, GET /issue/:idOrKey, PUT /issue/:idOrKey. */
export function issueRoutes(http: SandboxApp, ctx: JiraContext): void {
  http.route('POST', `${API}/issue`, ({ req, res, actor }) => {
    const body = objectBody(req);
    const fields = asObject(body.fields);
    if (!fields) throw badRequest(["Issue must have 'fields' set."]);
    const errors: FieldErrors = {};
    const project = findProject(fields.project);
    if (!project) errors.project = 'Specify a valid project ID or key';
    const issueType = findNamed(ISSUE_TYPES, fields.issuetype);
    if (!issueType) errors.issuetype = fields.issuetype === undefined ? 'Specify an issue type' : 'Specify a valid issue type';
    if (fields.summary === undefined) errors.summary = 'You must specify a summary of the issue.';
    const patch = readFields(fields, ctx.state, errors, ['project', 'issuetype']);
    const properties = readProperties(body.properties);
    if (Object.keys(errors).length || !project || !issueType) throw fieldErrors(errors);

    const at = ctx.now();
    const { id, key } = ctx.state.newIssueIdAndKey(project.key);
    const issue: IssueRecord = {
      id,
      key,
      projectId: project.id,
      issueTypeId: issueType.id,
      summary: '',
      description: null,
      statusId: STATUSES.open.id,
      priorityId: null,
      labels: [],
      assigneeId: null,
      reporterId: actor,
      creatorId: actor,
      resolutionId: null,
      resolutionDate: null,
      created: at,
      updated: at,
      customFields: {},
      properties: new Map(properties.map((p) => [p.key, p.value])),
      comments: [],
      remoteLinks: [],
    };
    // The create changelog lists the fields that were set, as Jira's issue_created does.
    const items: ChangeItem[] = [
      ...applyPatch(issue, { priorityId: DEFAULT_PRIORITY_ID, ...patch }, ctx.state).map((i) => ({ ...i, from: null, fromString: null })),
      { field: 'Status', fieldtype: 'jira', fieldId: 'status', from: null, fromString: null, to: STATUSES.open.id, toString: STATUSES.open.name },
    ];
    ctx.state.issues.set(issue.id, issue);
    ctx.webhooks.issueCreated(issue, actor, items);
    res.status(201);
    return { id: issue.id, key: issue.key, self: ctx.represent.issueSelf(issue) };
  });

  // The caller's own user, with the time zone JQL dates are read in.
  http.route('GET', `${API}/myself`, ({ actor }) => ctx.represent.user(actor));

  http.route('GET', `${API}/issue/:idOrKey`, ({ req }) => {
    const issue = issueOf(ctx, req);
    const raw = typeof req.query.fields === 'string' ? req.query.fields.split(',') : undefined;
    return ctx.represent.issue(issue, fieldSelection(raw, true));
  });

  http.route('PUT', `${API}/issue/:idOrKey`, ({ req, res, actor }) => {
    const issue = issueOf(ctx, req);
    const body = objectBody(req);
    const fields = asObject(body.fields) ?? {};
    const update = asObject(body.update) ?? {};
    const errors: FieldErrors = {};
    const fromFields = readFields(fields, ctx.state, errors);
    const fromUpdate = readUpdate(update, fields, issue, ctx.state, errors);
    if (Object.keys(errors).length) throw fieldErrors(errors);

    const items = applyPatch(issue, { ...fromFields, ...fromUpdate.patch }, ctx.state);
    if (items.length) issue.updated = ctx.now();
    const comments = fromUpdate.comments.map((c) => addComment(ctx, issue, actor, c));
    if (items.length) {
      const onlyAssignee = items.every((i) => i.fieldId === 'assignee');
      ctx.webhooks.issueUpdated(issue, actor, onlyAssignee ? 'issue_assigned' : 'issue_updated', items);
    }
    for (const c of comments) {
      ctx.webhooks.commentCreated(issue, c);
      ctx.webhooks.issueUpdated(issue, actor, 'issue_commented', [], c);
    }
    if (req.query.returnIssue === 'true') return ctx.represent.issue(issue, fieldSelection(undefined, true));
    res.status(204);
    return undefined;
  });
}
