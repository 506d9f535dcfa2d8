import { STATUS_LABELS, TICKET_SOURCES, TICKET_TYPES, isValidPriority, isValidStatus } from './account';
import type { BodyReader } from './body-reader';
import { invalidValue } from './errors';
import type { TicketPatch } from './operations';
import type { FreshdeskState } from './state';

/**
 * The ticket fields create and update share, validated as Freshdesk validates them: the enums
 * against the account's values, and every id against a record that exists (a responder must be
 * an agent, not any user).
 */
export const SHARED_TICKET_FIELDS = [
  'subject',
  'description',
  'status',
  'priority',
  'source',
  'type',
  'group_id',
  'responder_id',
  'company_id',
  'tags',
  'custom_fields',
] as const;

export const EMAIL_PATTERN = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

export function readTicketFields(reader: BodyReader, state: FreshdeskState): TicketPatch {
  const patch: TicketPatch = {};
  const subject = reader.string('subject');
  if (subject !== undefined) patch.subject = subject;
  const description = reader.string('description');
  if (description !== undefined) patch.descriptionHtml = description;

  const status = reader.integer('status');
  if (typeof status === 'number') {
    if (isValidStatus(status)) patch.status = status;
    else reader.fail(invalidValue('status', `It should be one of these values: '${Object.keys(STATUS_LABELS).join(',')}'`));
  }
  const priority = reader.integer('priority');
  if (typeof priority === 'number') {
    if (isValidPriority(priority)) patch.priority = priority;
    else reader.fail(invalidValue('priority', "It should be one of these values: '1,2,3,4'"));
  }
  const source = reader.integer('source');
  if (typeof source === 'number') {
    if (TICKET_SOURCES.includes(source)) patch.source = source;
    else reader.fail(invalidValue('source', `It should be one of these values: '${TICKET_SOURCES.join(',')}'`));
  }
  if (reader.has('type')) {
    const type = reader.raw('type');
    if (type === null) patch.type = null;
    else if (typeof type === 'string' && TICKET_TYPES.includes(type)) patch.type = type;
    else reader.fail(invalidValue('type', `It should be one of these values: '${TICKET_TYPES.join(',')}'`));
  }

  const groupId = reader.integer('group_id', { nullable: true });
  if (groupId === null || (groupId !== undefined && state.groups.has(groupId))) patch.groupId = groupId;
  else if (groupId !== undefined) reader.fail(invalidValue('group_id', 'There is no group matching the given group_id'));

  const responderId = reader.integer('responder_id', { nullable: true });
  if (responderId === null || (responderId !== undefined && state.agents.has(responderId))) patch.responderId = responderId;
  else if (responderId !== undefined) reader.fail(invalidValue('responder_id', 'There is no agent matching the given responder_id'));

  const companyId = reader.integer('company_id', { nullable: true });
  if (companyId === null || (companyId !== undefined && state.companies.has(companyId))) patch.companyId = companyId;
  else if (companyId !== undefined) reader.fail(invalidValue('company_id', 'There is no company matching the given company_id'));

  const tags = reader.stringArray('tags');
  if (tags !== undefined) {
    const bad = tags.find((t) => t.trim() === '' || t.length > 32 || t.includes(','));
    if (bad !== undefined) reader.fail(invalidValue('tags', 'Each tag should be a non-empty String of at most 32 characters without commas'));
    else patch.tags = tags.map((t) => t.trim());
  }

  const custom = reader.object('custom_fields');
  if (custom !== undefined) {
    const unknown = Object.keys(custom).filter((k) => !k.startsWith('cf_'));
    for (const key of unknown) reader.fail({ field: key, message: 'Unexpected/invalid field in request', code: 'invalid_field' });
    if (unknown.length === 0) patch.customFields = custom;
  }
  return patch;
}
