import { adfToWiki } from './adf';
import type { CommentRecord, IssueRecord, JiraState, RemoteLinkRecord } from './state';
import {
  ISSUE_TYPES,
  PRIORITIES,
  PROJECTS,
  RESOLUTIONS,
  STATUS_CATEGORIES,
  STATUSES,
  statusById,
  type StatusDef,
  type TransitionDef,
} from './world';

/**
 * Builds Jira's JSON from the records. The REST API is v3 (rich text as ADF, self links under
 * /rest/api/3); webhook bodies are the v2 form (rich text as wiki-markup strings, self links
 * under /rest/api/2), as Jira Cloud sends them (the real deliveries in test/fixtures/captured).
 */

export type ApiVersion = '2' | '3';

/** Jira's timestamp form: milliseconds and an offset without a colon. The site runs in UTC. */
export function jiraTime(d: Date): string {
  return d.toISOString().replace('Z', '+0000');
}

/** Which fields an answer carries: Jira's `fields` list with `*all`, `*navigable` and `-name`. */
export function fieldSelection(requested: string[] | undefined, allByDefault: boolean): (name: string) => boolean {
  const list = (requested ?? []).map((f) => f.trim()).filter(Boolean);
  const excluded = new Set(list.filter((f) => f.startsWith('-')).map((f) => f.slice(1)));
  const included = new Set(list.filter((f) => !f.startsWith('-')));
  const all = included.has('*all') || included.has('*navigable') || (included.size === 0 && allByDefault);
  return (name) => !excluded.has(name) && (all || included.has(name));
}

/** How many comments GET issue and search embed in the `comment` field. */
export const EMBEDDED_COMMENTS = 100;

/** Jira Service Management's internal-note comment property: sd.public.comment = {internal: true}. */
function isInternalNote(c: CommentRecord): boolean {
  const prop = c.properties.find((p) => p.key === 'sd.public.comment');
  const value = prop?.value;
  return !!value && typeof value === 'object' && (value as { internal?: unknown }).internal === true;
}

export class Representer {
  constructor(
    private readonly state: JiraState,
    private readonly baseUrl: () => string,
  ) {}

  private api(v: ApiVersion): string {
    return `${this.baseUrl()}/rest/api/${v}`;
  }

  issueSelf(issue: IssueRecord, v: ApiVersion = '3'): string {
    return `${this.api(v)}/issue/${issue.id}`;
  }

  user(accountId: string | null, v: ApiVersion = '3'): Record<string, unknown> | null {
    const u = this.state.user(accountId);
    if (!u) return null;
    const avatar = `https://secure.gravatar.com/avatar/${u.accountId.slice(-12)}?d=mm`;
    return {
      self: `${this.api(v)}/user?accountId=${u.accountId}`,
      accountId: u.accountId,
      emailAddress: u.email,
      avatarUrls: { '48x48': avatar, '24x24': avatar, '16x16': avatar, '32x32': avatar },
      displayName: u.displayName,
      active: true,
      timeZone: 'Etc/UTC',
      accountType: 'atlassian',
    };
  }

  status(status: StatusDef, v: ApiVersion = '3'): Record<string, unknown> {
    const cat = STATUS_CATEGORIES[status.category];
    return {
      self: `${this.api(v)}/status/${status.id}`,
      description: '',
      iconUrl: `${this.baseUrl()}/images/icons/statuses/generic.png`,
      name: status.name,
      id: status.id,
      statusCategory: { self: `${this.api(v)}/statuscategory/${cat.id}`, id: cat.id, key: cat.key, colorName: cat.colorName, name: cat.name },
    };
  }

  private priority(id: string | null, v: ApiVersion): Record<string, unknown> | null {
    const p = PRIORITIES.find((x) => x.id === id);
    if (!p) return null;
    return { self: `${this.api(v)}/priority/${p.id}`, iconUrl: `${this.baseUrl()}/images/icons/priorities/${p.name.toLowerCase()}.svg`, name: p.name, id: p.id };
  }

  private resolution(id: string | null, v: ApiVersion): Record<string, unknown> | null {
    const r = RESOLUTIONS.find((x) => x.id === id);
    return r ? { self: `${this.api(v)}/resolution/${r.id}`, id: r.id, description: r.description, name: r.name } : null;
  }

  private issueType(id: string, v: ApiVersion): Record<string, unknown> | null {
    const t = ISSUE_TYPES.find((x) => x.id === id);
    return t ? { self: `${this.api(v)}/issuetype/${t.id}`, id: t.id, description: t.description, name: t.name, subtask: false, hierarchyLevel: 0 } : null;
  }

  private project(id: string, v: ApiVersion): Record<string, unknown> | null {
    const p = PROJECTS.find((x) => x.id === id);
    return p ? { self: `${this.api(v)}/project/${p.id}`, id: p.id, key: p.key, name: p.name, projectTypeKey: p.projectTypeKey, simplified: false } : null;
  }

  /** Every field of an issue, in the form of one API version. */
  private allFields(issue: IssueRecord, v: ApiVersion): Record<string, unknown> {
    const status = statusById(issue.statusId) ?? STATUSES.open;
    return {
      summary: issue.summary,
      status: this.status(status, v),
      issuetype: this.issueType(issue.issueTypeId, v),
      project: this.project(issue.projectId, v),
      priority: this.priority(issue.priorityId, v),
      labels: [...issue.labels],
      assignee: this.user(issue.assigneeId, v),
      reporter: this.user(issue.reporterId, v),
      creator: this.user(issue.creatorId, v),
      resolution: this.resolution(issue.resolutionId, v),
      resolutiondate: issue.resolutionDate ? jiraTime(issue.resolutionDate) : null,
      created: jiraTime(issue.created),
      updated: jiraTime(issue.updated),
      description: v === '3' ? issue.description : adfToWiki(issue.description),
      statuscategorychangedate: jiraTime(issue.updated),
      ...issue.customFields,
    };
  }

  /** GET issue and search/jql: the fields the caller selected, plus `comment` when asked. */
  issue(issue: IssueRecord, include: (name: string) => boolean): Record<string, unknown> {
    const fields: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(this.allFields(issue, '3'))) if (include(name)) fields[name] = value;
    if (include('comment')) fields.comment = this.embeddedComments(issue);
    return { expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations', id: issue.id, self: this.issueSelf(issue), key: issue.key, fields };
  }

  /**
   * The `comment` field: a capped page whose `total` still counts every comment, so a client
   * can tell it holds only part (GET /issue/{id}/comment has the rest). Which part is not
   * documented; one report of a real site saw the oldest ones missing, so the sandbox embeds
   * the newest EMBEDDED_COMMENTS, oldest of them first, which a client must not mistake for all.
   */
  private embeddedComments(issue: IssueRecord): Record<string, unknown> {
    const total = issue.comments.length;
    const startAt = Math.max(0, total - EMBEDDED_COMMENTS);
    const comments = issue.comments.slice(startAt).map((c) => this.comment(c, '3'));
    return { comments, self: `${this.issueSelf(issue)}/comment`, maxResults: EMBEDDED_COMMENTS, total, startAt };
  }

  /** The issue as webhook bodies carry it: v2 form, the fields a listener needs. */
  webhookIssue(issue: IssueRecord): Record<string, unknown> {
    return { id: issue.id, self: this.issueSelf(issue, '2'), key: issue.key, fields: this.allFields(issue, '2') };
  }

  comment(c: CommentRecord, v: ApiVersion = '3'): Record<string, unknown> {
    return {
      self: `${this.api(v)}/issue/${c.issueId}/comment/${c.id}`,
      id: c.id,
      author: this.user(c.authorId, v),
      body: v === '3' ? c.body : adfToWiki(c.body),
      updateAuthor: this.user(c.updateAuthorId, v),
      created: jiraTime(c.created),
      updated: jiraTime(c.updated),
      // The project is a service desk: an internal note (sd.public.comment {internal: true}) is not public.
      jsdPublic: !isInternalNote(c),
      ...(c.visibility ? { visibility: c.visibility } : {}),
    };
  }

  transition(t: TransitionDef): Record<string, unknown> {
    const to = STATUSES[t.to];
    return {
      id: t.id,
      name: t.name,
      to: this.status(to),
      hasScreen: t.screenFields.length > 0,
      isGlobal: false,
      isInitial: false,
      isAvailable: true,
      isConditional: false,
      isLooped: false,
    };
  }

  remoteLink(issue: IssueRecord, link: RemoteLinkRecord): Record<string, unknown> {
    return {
      id: link.id,
      self: `${this.issueSelf(issue)}/remotelink/${link.id}`,
      ...(link.globalId !== null ? { globalId: link.globalId } : {}),
      ...(link.application ? { application: link.application } : {}),
      relationship: link.relationship ?? 'links to',
      object: link.object,
    };
  }
}
