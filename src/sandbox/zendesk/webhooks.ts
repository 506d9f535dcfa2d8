import { createHmac, randomUUID } from 'node:crypto';
import type { WebhookTarget } from '../core/webhook-dispatcher';
import type { FieldChange, TicketChange, ZdTicket } from './model';
import { BRAND_ID, TICKET_FORM_ID } from './present';
import { isoSeconds, type ZendeskState } from './state';

/** The sandbox account, as event deliveries and the X-Zendesk-Account-Id header name it. */
export const ZENDESK_ACCOUNT_ID = 22129848;
/** The one event-subscription webhook the sandbox has (Zendesk webhook ids are ULIDs). */
export const ZENDESK_WEBHOOK_ID = '01JSBX7Q4M8N2K6P0R3T5V7W9Y';
const EVENT_VERSION = '2022-11-06';
const PREFIX = 'zen:event-type:ticket.';

export interface ZendeskDelivery {
  eventType: string;
  body: Record<string, unknown>;
}

const idString = (v: number | null) => (v === null ? null : String(v));
const upper = (v: string | null) => (v === null ? null : v.toUpperCase());

/** The ticket snapshot of `detail`: ids as strings, enums upper case, as Zendesk sends them. */
function detailOf(t: ZdTicket, actorId: number): Record<string, unknown> {
  return {
    actor_id: String(actorId),
    assignee_id: idString(t.assigneeId),
    brand_id: String(BRAND_ID),
    created_at: t.createdAt,
    custom_status: null,
    description: t.description,
    external_id: null,
    form_id: String(TICKET_FORM_ID),
    group_id: idString(t.groupId),
    id: String(t.id),
    is_public: t.isPublic,
    organization_id: idString(t.organizationId),
    priority: upper(t.priority),
    requester_id: String(t.requesterId),
    status: upper(t.status),
    subject: t.subject,
    submitter_id: String(t.submitterId),
    tags: [...t.tags],
    type: upper(t.type),
    updated_at: t.updatedAt,
    via: { channel: 'api' },
  };
}

/** The type-specific `event` object for one field change; null for fields with no event here. */
function fieldEvent(change: FieldChange): { type: string; event: Record<string, unknown> } | null {
  switch (change.field) {
    case 'status':
      return { type: 'status_changed', event: { current: upper(change.current as string | null), previous: upper(change.previous as string | null) } };
    case 'priority':
      return { type: 'priority_changed', event: { current: upper(change.current as string | null), previous: upper(change.previous as string | null) } };
    case 'group_id':
      return { type: 'group_assignment_changed', event: { current: idString(change.current as number | null), previous: idString(change.previous as number | null) } };
    case 'assignee_id':
      return { type: 'agent_assignment_changed', event: { current: idString(change.current as number | null), previous: idString(change.previous as number | null) } };
    case 'organization_id':
      return { type: 'organization_changed', event: { current: idString(change.current as number | null), previous: idString(change.previous as number | null) } };
    case 'tags':
      return {
        type: 'tags_changed',
        event: {
          current: change.current,
          previous: change.previous,
          tags_added: change.current.filter((t) => !change.previous.includes(t)),
          tags_removed: change.previous.filter((t) => !change.current.includes(t)),
        },
      };
    case 'custom_field':
      return { type: 'custom_field_changed', event: { custom_field: { id: String(change.id) }, current: change.current, previous: change.previous } };
    default:
      return null;
  }
}

/**
 * The event-subscription deliveries one committed change causes: `ticket.created` for a new
 * ticket; otherwise one per event type that applies (comment first, then field changes). All
 * share a `meta.sequence` id, as Zendesk marks events caused by the same action.
 */
export function ticketDeliveries(state: ZendeskState, change: TicketChange): ZendeskDelivery[] {
  const parts: Array<{ type: string; event: Record<string, unknown> }> = [];
  if (change.created) {
    parts.push({ type: 'created', event: {} });
  } else {
    if (change.comment) {
      const author = state.users.get(change.comment.authorId);
      parts.push({
        type: 'comment_added',
        event: {
          comment: {
            id: String(change.comment.id),
            body: change.comment.body,
            is_public: change.comment.public,
            author: { id: String(change.comment.authorId), is_staff: author ? state.isStaff(author) : false, name: author?.name ?? '' },
          },
        },
      });
    }
    for (const c of change.changes) {
      const part = fieldEvent(c);
      if (part) parts.push(part);
    }
  }
  const sequence = randomUUID().replace(/-/g, '').toUpperCase();
  const time = state.now().toISOString();
  const detail = detailOf(change.ticket, change.actorId);
  return parts.map((p, i) => ({
    eventType: `${PREFIX}${p.type}`,
    body: {
      type: `${PREFIX}${p.type}`,
      account_id: ZENDESK_ACCOUNT_ID,
      id: randomUUID(),
      time,
      zendesk_event_version: EVENT_VERSION,
      subject: `zen:ticket:${change.ticket.id}`,
      detail,
      event: { ...p.event, meta: { sequence: { id: sequence, position: i + 1, total: parts.length } } },
    },
  }));
}

/**
 * Zendesk's signing: base64(HMAC-SHA256(secret, timestamp + raw body)), the timestamp being
 * ISO 8601 in whole seconds at send time (so a retry is signed afresh). Transport time, so real
 * time by default even when the sandbox clock has been moved forward: the receiver refuses a
 * timestamp more than a few minutes from its own clock. The event's `time` stays sandbox time.
 */
export function zendeskWebhookTarget(url: string, secret: string, now: () => Date = () => new Date()): WebhookTarget {
  return {
    url,
    headers: (rawBody, deliveryId) => {
      const timestamp = isoSeconds(now());
      const signature = createHmac('sha256', secret).update(timestamp).update(rawBody).digest('base64');
      return {
        'X-Zendesk-Webhook-Signature': signature,
        'X-Zendesk-Webhook-Signature-Timestamp': timestamp,
        'X-Zendesk-Webhook-Id': ZENDESK_WEBHOOK_ID,
        'X-Zendesk-Webhook-Invocation-Id': deliveryId,
        'X-Zendesk-Account-Id': String(ZENDESK_ACCOUNT_ID),
      };
    },
  };
}
