import { z } from 'zod';
import type { EventFacts, FieldMove } from '../../domain/first-sight';
import { isSigned } from '../../domain/rules';
import type { CanonicalPriority, CanonicalStatus } from '../../domain/ticket';
import { numericId } from '../../intake/types';
import { knownCanonicalStatus, toCanonicalPriority, type FreshdeskStatusMap } from './mapper';
import { fieldMoveOf, parseTriggeredEvent, type TriggeredEvent } from './triggered-event';

/**
 * What a Freshdesk automation webhook says about its change. The body is whatever the rule's
 * template renders (README's flat template, or the classic {"freshdesk_webhook": {...}}), so
 * every value is a string; what changed is only in `triggered_event`, and only the first
 * matching change of the rule. Freshdesk names no actor.
 */

const bodySchema = z.looseObject({
  event: z.unknown().optional(),
  ticket_id: z.unknown().optional(),
  triggered_event: z.unknown().optional(),
  updated_at: z.unknown().optional(),
  latest_private_comment: z.unknown().optional(),
});

/** Labels are accepted too, in case a template renders them; numbers are what Freshdesk sends. */
const STATUS_LABELS: Readonly<Record<string, CanonicalStatus>> = { open: 'open', pending: 'pending', resolved: 'resolved', closed: 'closed' };
const PRIORITY_LABELS: Readonly<Record<string, CanonicalPriority>> = { low: 'low', medium: 'normal', high: 'high', urgent: 'urgent' };

function unwrap(payload: unknown): Record<string, unknown> | null {
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return null;
  const outer = payload as Record<string, unknown>;
  const inner = outer.freshdesk_webhook;
  return inner && typeof inner === 'object' && !Array.isArray(inner) ? (inner as Record<string, unknown>) : outer;
}

function statusOf(value: string | null, custom: FreshdeskStatusMap): CanonicalStatus | null {
  if (value === null) return null;
  if (/^\d+$/.test(value)) return knownCanonicalStatus(Number(value), custom);
  return STATUS_LABELS[value.toLowerCase()] ?? null;
}

function priorityOf(value: string | null): CanonicalPriority | null {
  if (value === null) return null;
  if (/^\d+$/.test(value)) return toCanonicalPriority(Number(value));
  return PRIORITY_LABELS[value.toLowerCase()] ?? null;
}

function idMove(event: TriggeredEvent, field: string): FieldMove | undefined {
  const move = fieldMoveOf(event, field);
  return move ? { from: numericId(move.from), to: numericId(move.to) } : undefined;
}

/**
 * Only a time with its zone is an instant: templates such as {{ticket.updated_at}} render
 * "Wed, 8 Jan, 2025 at 2:25 PM" in the account's zone, which names no moment.
 */
function zonedIso(value: unknown): string | null {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})$/.test(value.trim())) return null;
  const ms = Date.parse(value.trim());
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

export function freshdeskEventFacts(payload: unknown, customStatuses: FreshdeskStatusMap = {}): EventFacts | null {
  const parsed = bodySchema.safeParse(unwrap(payload));
  if (!parsed.success) return null;
  const body = parsed.data;
  const triggered = parseTriggeredEvent(body.triggered_event);
  if (body.ticket_id === undefined && triggered === null) return null;

  const facts: EventFacts = {
    actorId: null,
    updatedAt: zonedIso(body.updated_at),
    created: body.event === 'ticket_created' || triggered?.ticket_action === 'created',
  };
  if (!triggered) return facts;
  const group = idMove(triggered, 'group_id');
  if (group) facts.group = group;
  const assignee = idMove(triggered, 'responder_id');
  if (assignee) facts.assignee = assignee;
  const status = fieldMoveOf(triggered, 'status');
  if (status) facts.status = { from: statusOf(status.from, customStatuses), to: statusOf(status.to, customStatuses) };
  const priority = fieldMoveOf(triggered, 'priority');
  if (priority) facts.priority = { from: priorityOf(priority.from), to: priorityOf(priority.to) };
  // A private note was added and the newest private note is signed by us: our own write.
  if (triggered.note_type === 'private' && typeof body.latest_private_comment === 'string' && isSigned(body.latest_private_comment)) facts.ownNote = true;
  return facts;
}
