import type { SandboxApp } from '../../core/sandbox-app';
import { API, asObject, checkProperty, issueOf, objectBody, type JiraContext } from '../context';
import { badRequest, fieldErrors, notFound } from '../errors';
import type { RemoteLinkRecord } from '../state';

/**
 * Remote links (upserted by globalId, as Jira documents them) and issue entity properties.
 * Remote links fire no webhook at Jira, so none here; property writes fire issue_property_*.
 */
export function linkRoutes(http: SandboxApp, ctx: JiraContext): void {
  http.route('GET', `${API}/issue/:idOrKey/remotelink`, ({ req }) => {
    const issue = issueOf(ctx, req);
    const globalId = typeof req.query.globalId === 'string' ? req.query.globalId : undefined;
    return issue.remoteLinks.filter((l) => globalId === undefined || l.globalId === globalId).map((l) => ctx.represent.remoteLink(issue, l));
  });

  http.route('POST', `${API}/issue/:idOrKey/remotelink`, ({ req, res }) => {
    const issue = issueOf(ctx, req);
    const body = objectBody(req);
    const object = asObject(body.object);
    const errors: Record<string, string> = {};
    if (typeof object?.url !== 'string' || object.url === '') errors.url = "'url' is required.";
    if (typeof object?.title !== 'string' || object.title === '') errors.title = "'title' is required.";
    const globalId = typeof body.globalId === 'string' && body.globalId !== '' ? body.globalId : null;
    if (globalId !== null && globalId.length > 255) errors.globalId = 'The globalId must be at most 255 characters.';
    if (Object.keys(errors).length || !object) throw fieldErrors(errors);

    // Every field left out of the upsert becomes null, as at Jira: the whole record is replaced.
    const fresh = (id: number): RemoteLinkRecord => ({
      id,
      globalId,
      application: asObject(body.application) ?? null,
      relationship: typeof body.relationship === 'string' ? body.relationship : null,
      object,
    });
    const existing = globalId === null ? -1 : issue.remoteLinks.findIndex((l) => l.globalId === globalId);
    const link = existing >= 0 ? fresh((issue.remoteLinks[existing] as RemoteLinkRecord).id) : fresh(ctx.state.newRemoteLinkId());
    if (existing >= 0) issue.remoteLinks[existing] = link;
    else issue.remoteLinks.push(link);
    res.status(existing >= 0 ? 200 : 201);
    return { id: link.id, self: `${ctx.represent.issueSelf(issue)}/remotelink/${link.id}` };
  });

  http.route('GET', `${API}/issue/:idOrKey/properties`, ({ req }) => {
    const issue = issueOf(ctx, req);
    const self = `${ctx.represent.issueSelf(issue)}/properties`;
    return { keys: [...issue.properties.keys()].map((key) => ({ self: `${self}/${encodeURIComponent(key)}`, key })) };
  });

  http.route('GET', `${API}/issue/:idOrKey/properties/:propertyKey`, ({ req }) => {
    const issue = issueOf(ctx, req);
    const key = String(req.params.propertyKey);
    if (!issue.properties.has(key)) throw notFound(`The property with key '${key}' does not exist.`);
    return { key, value: issue.properties.get(key) };
  });

  http.route('PUT', `${API}/issue/:idOrKey/properties/:propertyKey`, ({ req, res, actor }) => {
    const issue = issueOf(ctx, req);
    const key = String(req.params.propertyKey);
    if (req.body === undefined) throw badRequest(['The property value must be valid JSON.']);
    const value: unknown = req.body;
    checkProperty(key, value);
    const existed = issue.properties.has(key);
    issue.properties.set(key, value);
    ctx.webhooks.propertySet(issue, actor, key, value);
    res.status(existed ? 200 : 201);
    // Jira answers an entity-property write with an empty body.
    res.end();
    return undefined;
  });

  http.route('DELETE', `${API}/issue/:idOrKey/properties/:propertyKey`, ({ req, actor }) => {
    const issue = issueOf(ctx, req);
    const key = String(req.params.propertyKey);
    if (!issue.properties.delete(key)) throw notFound(`The property with key '${key}' does not exist.`);
    ctx.webhooks.propertyDeleted(issue, actor, key);
    return undefined;
  });
}
