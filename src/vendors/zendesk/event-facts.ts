import { z } from 'zod';
import type { EventFacts, FieldMove } from '../../domain/first-sight';
import type { CanonicalStatus } from '../../domain/ticket';
import { numericId } from '../../intake/types';
import { priorityFromZendesk, statusFromZendesk } from './mapper';

/**
 * What a Zendesk webhook says about its change. Event subscriptions (zen:event-type:ticket.*)
 * carry the actor and updated_at in `detail`, and the move in `event.previous`/`event.current`
 * or the comment in `event.comment` (Zendesk's event-subscription payloads). Ids arrive as strings and enums
 * in any capitalisation. A trigger body is our README template, which names no change.
 */

const TICKET_EVENT = 'zen:event-type:ticket.';

const idValue = z.union([z.string(), z.number()]).nullish();

const eventSubscriptionSchema = z.looseObject({
  type: z.string().startsWith(TICKET_EVENT),
  // A part that does not read is dropped, not the whole event: the type alone still tells a lot.
  detail: z.looseObject({ actor_id: z.unknown().optional(), updated_at: z.unknown().optional() }).nullish().catch(null),
  event: z
    .looseObject({
      current: z.unknown().optional(),
      previous: z.unknown().optional(),
      comment: z
        .looseObject({
          id: idValue,
          is_public: z.boolean().nullish(),
          author: z.looseObject({ id: idValue }).nullish(),
        })
        .nullish()
        .catch(null),
    })
    .nullish()
    .catch(null),
});

const triggerSchema = z.looseObject({
  ticket_id: z.unknown().optional(),
  ticket: z.looseObject({ id: z.unknown().optional() }).nullish(),
  event: z.unknown().optional(),
  updated_at: z.unknown().optional(),
});

/** Samples show a bare id; an {id, name} object is read too rather than lost. */
function idOf(value: unknown): string | null {
  if (value && typeof value === 'object' && 'id' in value) return numericId((value as { id: unknown }).id);
  return numericId(value);
}

function textOf(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

function statusOf(value: unknown): CanonicalStatus | null {
  const text = textOf(value);
  return text === null ? null : statusFromZendesk(text);
}

/**
 * Zendesk stamps UTC ("2025-01-08T14:25:30Z"): kept as sent, so it equals the REST updated_at.
 * Only an ISO time with its zone is read; a template's "January 08, 2025 14:25" names no moment.
 */
export function zendeskInstant(value: unknown): string | null {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})$/.test(value)) return null;
  if (Number.isNaN(Date.parse(value))) return null;
  return /Z$/.test(value) ? value : new Date(Date.parse(value)).toISOString();
}

function move<T>(current: unknown, previous: unknown, read: (v: unknown) => T): FieldMove<T> {
  return { from: read(previous), to: read(current) };
}

function fromEventSubscription(body: z.infer<typeof eventSubscriptionSchema>): EventFacts {
  const kind = body.type.slice(TICKET_EVENT.length);
  const event = body.event ?? {};
  const facts: EventFacts = {
    actorId: numericId(body.detail?.actor_id),
    updatedAt: zendeskInstant(body.detail?.updated_at),
    created: kind === 'created',
  };
  switch (kind) {
    case 'group_assignment_changed':
      facts.group = move(event.current, event.previous, idOf);
      break;
    case 'agent_assignment_changed':
      facts.assignee = move(event.current, event.previous, idOf);
      break;
    case 'status_changed':
      facts.status = move(event.current, event.previous, statusOf);
      break;
    case 'priority_changed':
      facts.priority = move(event.current, event.previous, (v) => priorityFromZendesk(textOf(v)));
      break;
    case 'comment_added': {
      const id = numericId(event.comment?.id);
      if (id) facts.comment = { id, authorId: numericId(event.comment?.author?.id), public: event.comment?.is_public ?? null };
      break;
    }
    default:
      break;
  }
  return facts;
}

/** Our README trigger template renders no change and no actor id; only a stated creation counts. */
function fromTrigger(body: z.infer<typeof triggerSchema>): EventFacts | null {
  if (numericId(body.ticket_id ?? body.ticket?.id) === null) return null;
  return { actorId: null, updatedAt: zendeskInstant(body.updated_at), created: textOf(body.event) === 'ticket_created' };
}

/** Null for a body that is neither a ticket event nor a trigger body naming a ticket. */
export function zendeskEventFacts(payload: unknown): EventFacts | null {
  const event = eventSubscriptionSchema.safeParse(payload);
  if (event.success) return fromEventSubscription(event.data);
  if (payload && typeof payload === 'object' && typeof (payload as { type?: unknown }).type === 'string') {
    // Another event family (zen:event-type:user.*): nothing about a ticket.
    if ((payload as { type: string }).type.startsWith('zen:event-type:')) return null;
  }
  const trigger = triggerSchema.safeParse(payload);
  return trigger.success ? fromTrigger(trigger.data) : null;
}
