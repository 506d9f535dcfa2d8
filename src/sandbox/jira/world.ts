/**
 * The fixed configuration of the sandbox's Jira site: project SUP, its issue types, priorities,
 * resolutions and the service-desk workflow of the SUP-20 incident (Open -> Investigate -> Work in
 * progress -> Resolve -> Completed -> Close -> Closed, with Pending, Back to work in progress
 * and Reopen). Ids follow Jira's habits: built-in statuses and priorities have small ids,
 * anything a site admin added has ids from 10000 up, and transition ids are per-workflow
 * numbers ("11", "21", ...) that callers must look up by `to.name` or `to.statusCategory.key`.
 */

import { JIRA_PROJECT } from '../seed-people';

export type StatusCategoryKey = 'new' | 'indeterminate' | 'done';

export interface StatusCategoryDef {
  id: number;
  key: StatusCategoryKey;
  colorName: string;
  name: string;
}

export const STATUS_CATEGORIES: Record<StatusCategoryKey, StatusCategoryDef> = {
  new: { id: 2, key: 'new', colorName: 'blue-gray', name: 'To Do' },
  indeterminate: { id: 4, key: 'indeterminate', colorName: 'yellow', name: 'In Progress' },
  done: { id: 3, key: 'done', colorName: 'green', name: 'Done' },
};

export interface StatusDef {
  id: string;
  name: string;
  category: StatusCategoryKey;
}

export const STATUSES = {
  open: { id: '1', name: 'Open', category: 'new' },
  workInProgress: { id: '3', name: 'Work in progress', category: 'indeterminate' },
  pending: { id: '10003', name: 'Pending', category: 'indeterminate' },
  completed: { id: '10004', name: 'Completed', category: 'done' },
  closed: { id: '6', name: 'Closed', category: 'done' },
} satisfies Record<string, StatusDef>;

export type StatusName = keyof typeof STATUSES;

export interface TransitionDef {
  id: string;
  name: string;
  from: StatusName[];
  to: StatusName;
  /** What the transition does to the resolution: Resolve sets one, going back clears it. */
  resolution: 'set' | 'clear' | 'keep';
  /** Fields the transition screen shows, so the only ones a caller may send with it. */
  screenFields: string[];
}

/**
 * The buttons of that service-desk workflow. Investigate is also offered from Pending, because the
 * workflow treats Pending as waiting on the customer's answer and some transition has to lead back out of it.
 */
export const TRANSITIONS: readonly TransitionDef[] = [
  { id: '11', name: 'Investigate', from: ['open', 'pending'], to: 'workInProgress', resolution: 'keep', screenFields: [] },
  { id: '21', name: 'Pending', from: ['open', 'workInProgress'], to: 'pending', resolution: 'keep', screenFields: [] },
  { id: '31', name: 'Resolve', from: ['workInProgress'], to: 'completed', resolution: 'set', screenFields: ['resolution'] },
  { id: '41', name: 'Close', from: ['completed'], to: 'closed', resolution: 'keep', screenFields: [] },
  { id: '51', name: 'Back to work in progress', from: ['completed'], to: 'workInProgress', resolution: 'clear', screenFields: [] },
  { id: '61', name: 'Reopen', from: ['closed'], to: 'workInProgress', resolution: 'clear', screenFields: [] },
];

export interface NamedDef {
  id: string;
  name: string;
  description: string;
}

export const ISSUE_TYPES: readonly NamedDef[] = [
  { id: '10001', name: 'Bug', description: 'A problem or error.' },
  { id: '10002', name: 'Story', description: 'Functionality or a feature expressed as a user goal.' },
  { id: '10003', name: 'Task', description: 'A small, distinct piece of work.' },
  { id: '10004', name: 'Incident', description: 'For system outages or incidents. Created by Jira Service Management.' },
];

export const PRIORITIES: readonly NamedDef[] = [
  { id: '1', name: 'Highest', description: 'This problem will block progress.' },
  { id: '2', name: 'High', description: 'Serious problem that could block progress.' },
  { id: '3', name: 'Medium', description: 'Has the potential to affect progress.' },
  { id: '4', name: 'Low', description: 'Minor problem or easily worked around.' },
  { id: '5', name: 'Lowest', description: 'Trivial problem with little or no impact on progress.' },
];

/** Jira gives new issues the site's default priority when the create call names none. */
export const DEFAULT_PRIORITY_ID = '3';

export const RESOLUTIONS: readonly NamedDef[] = [
  { id: '10000', name: 'Done', description: 'Work has been completed on this issue.' },
  { id: '10001', name: "Won't Do", description: 'This issue will not be actioned.' },
  { id: '10002', name: 'Duplicate', description: 'The problem is a duplicate of an existing issue.' },
  { id: '10003', name: 'Cannot Reproduce', description: 'This issue could not be reproduced.' },
];

export const DEFAULT_RESOLUTION_ID = '10000';

export const PROJECTS = [{ ...JIRA_PROJECT, projectTypeKey: 'service_desk' }] as const;

export type ProjectDef = (typeof PROJECTS)[number];

export function statusById(id: string): StatusDef | undefined {
  return Object.values(STATUSES).find((s) => s.id === id);
}

export function statusByName(name: string): StatusDef | undefined {
  return Object.values(STATUSES).find((s) => s.name.toLowerCase() === name.toLowerCase());
}

/** Looks a named thing up the way Jira reads `{id}` or `{name}` references. */
export function findNamed(list: readonly NamedDef[], ref: unknown): NamedDef | undefined {
  if (!ref || typeof ref !== 'object') return undefined;
  const r = ref as { id?: unknown; name?: unknown };
  if (typeof r.id === 'string' || typeof r.id === 'number') return list.find((d) => d.id === String(r.id));
  if (typeof r.name === 'string') return list.find((d) => d.name === r.name);
  return undefined;
}

export function findProject(ref: unknown): ProjectDef | undefined {
  if (!ref || typeof ref !== 'object') return undefined;
  const r = ref as { id?: unknown; key?: unknown };
  if (typeof r.id === 'string' || typeof r.id === 'number') return PROJECTS.find((p) => p.id === String(r.id));
  if (typeof r.key === 'string') return PROJECTS.find((p) => p.key === r.key);
  return undefined;
}
