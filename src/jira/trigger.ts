import type { JiraIssuesConfig } from '../config/schema';
import type { Ticket } from '../domain/ticket';
import type { IssueKind } from './types';

export type JiraTriggers = JiraIssuesConfig['triggers'];

function lowerSet(values: readonly string[]): Set<string> {
  return new Set(values.map((v) => v.trim().toLowerCase()));
}

function hasAny(candidates: readonly string[], wanted: readonly string[]): boolean {
  const set = lowerSet(wanted);
  return candidates.some((c) => set.has(c.trim().toLowerCase()));
}

/** A custom field may be a dropdown (string), a multi-select (array), or a number. */
function fieldValues(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(fieldValues);
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  return [];
}

function matches(ticket: Ticket, triggers: JiraTriggers, kind: IssueKind): boolean {
  const tags = kind === 'bug' ? triggers.bugTags : triggers.requestTags;
  const groups = kind === 'bug' ? triggers.bugGroups : triggers.requestGroups;
  if (hasAny(ticket.tags, tags)) return true;
  if (ticket.groupId !== null && groups.includes(ticket.groupId)) return true;
  const field = triggers.customField;
  if (field === null) return false;
  const values = fieldValues(ticket.customFields[field.field]);
  return hasAny(values, kind === 'bug' ? field.bugValues : field.requestValues);
}

/**
 * J1: which issue a ticket raises, if any. Tags compare case-insensitively because agents type
 * them by hand. A bug trigger wins over a request trigger: a defect with a feature tag on it
 * still needs the bug-fix process and its SLA.
 */
export function decideKind(ticket: Ticket, triggers: JiraTriggers): IssueKind | null {
  if (matches(ticket, triggers, 'bug')) return 'bug';
  if (matches(ticket, triggers, 'request')) return 'request';
  return null;
}
