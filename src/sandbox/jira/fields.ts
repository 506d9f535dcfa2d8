import { adfProblem, adfToWiki, type AdfNode } from './adf';
import { invalidInput } from './errors';
import type { IssueRecord, JiraState } from './state';
import type { ChangeItem } from './webhooks';
import { findNamed, PRIORITIES } from './world';

/**
 * Reading and applying the editable issue fields, shared by create (POST /issue) and edit
 * (PUT /issue). Like Jira, every field's problem is collected and answered together in
 * `errors`, keyed by field id; malformed ADF alone short-circuits with a bare INVALID_INPUT.
 */

export interface IssuePatch {
  summary?: string;
  description?: AdfNode | null;
  priorityId?: string | null;
  labels?: string[];
  assigneeId?: string | null;
  reporterId?: string | null;
  customFields?: Record<string, unknown>;
}

export type FieldErrors = Record<string, string>;

const NOT_ON_SCREEN = (field: string) => `Field '${field}' cannot be set. It is not on the appropriate screen, or unknown.`;

export function readSummary(value: unknown, errors: FieldErrors): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') {
    errors.summary = 'You must specify a summary of the issue.';
    return undefined;
  }
  if (/[\r\n]/.test(value)) {
    errors.summary = 'The summary is invalid because it contains newline characters.';
    return undefined;
  }
  if (value.length > 255) {
    errors.summary = 'Summary must be less than 255 characters.';
    return undefined;
  }
  return value;
}

/** Rich-text fields take ADF on v3: a string is named, broken ADF is a bare INVALID_INPUT. */
export function readAdf(field: string, value: unknown, errors: FieldErrors): AdfNode | null | undefined {
  if (value === null) return null;
  if (typeof value === 'string') {
    errors[field] = 'Operation value must be an Atlassian Document (see the Atlassian Document Format)';
    return undefined;
  }
  if (adfProblem(value) !== null) throw invalidInput();
  return value as AdfNode;
}

export function readCommentBody(value: unknown, errors: FieldErrors): AdfNode | undefined {
  if (value === undefined || value === null) {
    errors.comment = 'Comment body can not be empty!';
    return undefined;
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    errors.comment = 'Comment body is not valid!';
    return undefined;
  }
  if (adfProblem(value) !== null) throw invalidInput();
  return value as AdfNode;
}

export function readLabels(value: unknown, errors: FieldErrors): string[] | undefined {
  if (!Array.isArray(value) || value.some((l) => typeof l !== 'string')) {
    errors.labels = 'data was not an array';
    return undefined;
  }
  for (const label of value as string[]) {
    if (/\s/.test(label)) {
      errors.labels = `The label '${label}' contains spaces which is invalid.`;
      return undefined;
    }
    if (label.length > 255) {
      errors.labels = `The label '${label}' exceeds the maximum length for a single label of 255 characters.`;
      return undefined;
    }
  }
  return normaliseLabels(value as string[]);
}

/** Jira keeps labels as a set and answers them sorted. */
export function normaliseLabels(labels: string[]): string[] {
  return [...new Set(labels.filter((l) => l !== ''))].sort();
}

function readUser(field: string, value: unknown, state: JiraState, errors: FieldErrors): string | null | undefined {
  if (value === null) return null;
  const accountId = value && typeof value === 'object' ? (value as { accountId?: unknown }).accountId : undefined;
  if (typeof accountId !== 'string') {
    errors[field] = `Specify the user by accountId for ${field}.`;
    return undefined;
  }
  if (!state.user(accountId)) {
    errors[field] = field === 'assignee' ? `User '${accountId}' cannot be assigned issues.` : `The ${field} specified is not a user.`;
    return undefined;
  }
  return accountId;
}

/**
 * Reads the editable fields of a `fields` object into a patch. `skip` lists fields the caller
 * handles itself (project and issuetype on create).
 */
export function readFields(fields: Record<string, unknown>, state: JiraState, errors: FieldErrors, skip: string[] = []): IssuePatch {
  const patch: IssuePatch = {};
  for (const [name, value] of Object.entries(fields)) {
    if (skip.includes(name)) continue;
    if (name === 'summary') patch.summary = readSummary(value, errors);
    else if (name === 'description') patch.description = readAdf('description', value, errors);
    else if (name === 'labels') patch.labels = readLabels(value ?? [], errors);
    else if (name === 'assignee') patch.assigneeId = readUser('assignee', value, state, errors);
    else if (name === 'reporter') patch.reporterId = readUser('reporter', value, state, errors);
    else if (name === 'priority') {
      const p = value === null ? null : findNamed(PRIORITIES, value);
      if (p === undefined) errors.priority = 'The priority selected is invalid.';
      else patch.priorityId = p?.id ?? null;
    } else if (/^customfield_\d+$/.test(name)) {
      patch.customFields = { ...patch.customFields, [name]: value };
    } else errors[name] = NOT_ON_SCREEN(name);
  }
  return patch;
}

type UpdateOp = Record<string, unknown>;

/**
 * PUT's `update` operations: labels add/remove/set, `set` on the simple fields, and comment
 * add. Returns the patch plus the comment bodies to add, or collects errors.
 */
export function readUpdate(
  update: Record<string, unknown>,
  fields: Record<string, unknown>,
  issue: IssueRecord,
  state: JiraState,
  errors: FieldErrors,
): { patch: IssuePatch; comments: AdfNode[] } {
  const patch: IssuePatch = {};
  const comments: AdfNode[] = [];
  for (const [name, opsValue] of Object.entries(update)) {
    if (name in fields) {
      errors[name] = `Field '${name}' cannot be set in both 'fields' and 'update'.`;
      continue;
    }
    if (!Array.isArray(opsValue)) {
      errors[name] = `The operations for '${name}' must be an array.`;
      continue;
    }
    const ops = opsValue as UpdateOp[];
    if (name === 'labels') {
      let labels = [...issue.labels];
      for (const op of ops) {
        if ('add' in op) labels = [...labels, ...(readLabels([op.add], errors) ?? [])];
        else if ('remove' in op) labels = labels.filter((l) => l !== op.remove);
        else if ('set' in op) labels = readLabels(op.set, errors) ?? labels;
        else errors.labels = `Unsupported operation on labels: ${Object.keys(op).join(', ')}`;
      }
      patch.labels = normaliseLabels(labels);
    } else if (name === 'comment') {
      for (const op of ops) {
        const add = op.add && typeof op.add === 'object' ? (op.add as { body?: unknown }) : undefined;
        const body = add ? readCommentBody(add.body, errors) : undefined;
        if (!add) errors.comment = 'Only the add operation is supported on comment.';
        if (body) comments.push(body);
      }
    } else {
      const set = ops.find((op) => 'set' in op);
      if (!set || ops.length !== 1) {
        errors[name] = `The sandbox supports only a single 'set' operation on '${name}'.`;
        continue;
      }
      Object.assign(patch, readFields({ [name]: set.set }, state, errors));
    }
  }
  return { patch, comments };
}

function userName(state: JiraState, id: string | null): string | null {
  return state.user(id)?.displayName ?? null;
}

/** Applies a validated patch and returns the changelog items of what really changed. */
export function applyPatch(issue: IssueRecord, patch: IssuePatch, state: JiraState): ChangeItem[] {
  const items: ChangeItem[] = [];
  const jira = (field: string, from: string | null, fromString: string | null, to: string | null, toStr: string | null): ChangeItem => ({
    field,
    fieldtype: 'jira',
    fieldId: field,
    from,
    fromString,
    to,
    toString: toStr,
  });
  if (patch.summary !== undefined && patch.summary !== issue.summary) {
    items.push(jira('summary', null, issue.summary, null, patch.summary));
    issue.summary = patch.summary;
  }
  if (patch.description !== undefined && JSON.stringify(patch.description) !== JSON.stringify(issue.description)) {
    items.push(jira('description', null, adfToWiki(issue.description), null, adfToWiki(patch.description)));
    issue.description = patch.description;
  }
  if (patch.priorityId !== undefined && patch.priorityId !== issue.priorityId) {
    const name = (id: string | null) => PRIORITIES.find((p) => p.id === id)?.name ?? null;
    items.push(jira('priority', issue.priorityId, name(issue.priorityId), patch.priorityId, name(patch.priorityId)));
    issue.priorityId = patch.priorityId;
  }
  if (patch.labels !== undefined && patch.labels.join(' ') !== issue.labels.join(' ')) {
    items.push(jira('labels', null, issue.labels.join(' '), null, patch.labels.join(' ')));
    issue.labels = patch.labels;
  }
  if (patch.assigneeId !== undefined && patch.assigneeId !== issue.assigneeId) {
    items.push(jira('assignee', issue.assigneeId, userName(state, issue.assigneeId), patch.assigneeId, userName(state, patch.assigneeId)));
    issue.assigneeId = patch.assigneeId;
  }
  if (patch.reporterId !== undefined && patch.reporterId !== issue.reporterId) {
    items.push(jira('reporter', issue.reporterId, userName(state, issue.reporterId), patch.reporterId, userName(state, patch.reporterId)));
    issue.reporterId = patch.reporterId;
  }
  for (const [id, value] of Object.entries(patch.customFields ?? {})) {
    const before = issue.customFields[id];
    if (JSON.stringify(before) === JSON.stringify(value)) continue;
    const text = (v: unknown) => (v === undefined || v === null ? null : typeof v === 'string' ? v : JSON.stringify(v));
    items.push({ field: id, fieldtype: 'custom', fieldId: id, from: null, fromString: text(before), to: null, toString: text(value) });
    issue.customFields[id] = value;
  }
  return items;
}
