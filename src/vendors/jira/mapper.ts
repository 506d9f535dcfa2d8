import type { JiraComment, JiraIssue } from '../../domain/ticket';
import type { JiraTransition } from '../types';
import { adfToPlainText } from './adf-text';
import type { RawComment, RawIssue, RawTransition } from './schemas';

/**
 * Jira writes offsets without a colon (`2025-01-08T14:05:31.211+0000`), which ISO 8601 parsers
 * other than V8's lenient one reject; the canonical model carries UTC ISO strings so that
 * timestamps of all three vendors compare as text.
 */
export function jiraTimeToIso(value: string): string {
  const withColon = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(withColon);
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}

export function browseUrl(baseUrl: string, key: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/browse/${encodeURIComponent(key)}`;
}

export function toJiraComment(raw: RawComment): JiraComment {
  const created = jiraTimeToIso(raw.created);
  return {
    id: raw.id,
    authorAccountId: raw.author?.accountId ?? null,
    authorName: raw.author?.displayName ?? null,
    bodyText: adfToPlainText(raw.body),
    // Jira Software has no public/internal split: without jsdPublic every comment is public.
    public: raw.jsdPublic ?? true,
    created,
    updated: raw.updated ? jiraTimeToIso(raw.updated) : created,
  };
}

/** Oldest first; Jira's comment ids grow with time and break ties within one millisecond. */
export function compareJiraComments(a: JiraComment, b: JiraComment): number {
  const byTime = Date.parse(a.created) - Date.parse(b.created);
  if (byTime !== 0 && !Number.isNaN(byTime)) return byTime;
  return Number(a.id) - Number(b.id);
}

/**
 * The canonical issue. `comments` are the issue's comments when the caller has read them all
 * (the embedded page can be incomplete, see JiraClient); by default those embedded in the
 * answer, and none when the answer carries no `comment` field.
 */
export function toJiraIssue(raw: RawIssue, connectionId: string, baseUrl: string, comments?: readonly RawComment[]): JiraIssue {
  const f = raw.fields;
  const rawComments = comments ?? f.comment?.comments ?? [];
  return {
    connectionId,
    id: raw.id,
    key: raw.key,
    url: browseUrl(baseUrl, raw.key),
    summary: f.summary,
    status: {
      id: f.status.id ?? null,
      name: f.status.name,
      categoryKey: f.status.statusCategory?.key ?? null,
    },
    issueType: f.issuetype?.name ?? null,
    priority: f.priority?.name ?? null,
    labels: f.labels ?? [],
    assigneeAccountId: f.assignee?.accountId ?? null,
    resolution: f.resolution?.name ?? null,
    created: jiraTimeToIso(f.created),
    updated: jiraTimeToIso(f.updated),
    comments: rawComments.map(toJiraComment).sort(compareJiraComments),
  };
}

export function toJiraTransition(raw: RawTransition): JiraTransition {
  return {
    id: raw.id,
    name: raw.name,
    to: { id: raw.to.id, name: raw.to.name, categoryKey: raw.to.statusCategory?.key ?? null },
  };
}
