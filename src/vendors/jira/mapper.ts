import type { JiraIssue } from '../../domain/ticket';
import type { JiraTransition } from '../types';
import type { RawIssue, RawTransition } from './schemas';

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

export function toJiraIssue(raw: RawIssue, connectionId: string, baseUrl: string): JiraIssue {
  const f = raw.fields;
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
    comments: [],
  };
}

export function toJiraTransition(raw: RawTransition): JiraTransition {
  return {
    id: raw.id,
    name: raw.name,
    to: { id: raw.to.id, name: raw.to.name, categoryKey: raw.to.statusCategory?.key ?? null },
  };
}
