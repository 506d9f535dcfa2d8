/**
 * The sandbox's in-memory records. Ids are numbers, as in Zendesk's REST answers; the
 * presenters (present.ts) turn these into Zendesk's JSON and the webhook builder into the
 * string-id shapes of event deliveries.
 */

export type ZdRole = 'end-user' | 'agent' | 'admin';
export type ZdStatus = 'new' | 'open' | 'pending' | 'hold' | 'solved' | 'closed';
export type ZdPriority = 'low' | 'normal' | 'high' | 'urgent';
export type ZdType = 'problem' | 'incident' | 'question' | 'task';

export const ZD_STATUSES: readonly ZdStatus[] = ['new', 'open', 'pending', 'hold', 'solved', 'closed'];
export const ZD_PRIORITIES: readonly ZdPriority[] = ['low', 'normal', 'high', 'urgent'];
export const ZD_TYPES: readonly ZdType[] = ['problem', 'incident', 'question', 'task'];

export interface ZdUser {
  id: number;
  name: string;
  email: string;
  role: ZdRole;
  organizationId: number | null;
  /** Agents only; the first one is the agent's default group. */
  groupIds: number[];
  /** API token of an agent; null for end users, who cannot call the API. */
  apiToken: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ZdOrganization {
  id: number;
  name: string;
  domainNames: string[];
  createdAt: string;
  updatedAt: string;
}

export interface ZdGroup {
  id: number;
  name: string;
  createdAt: string;
  updatedAt: string;
}

export interface ZdCustomField {
  id: number;
  value: unknown;
}

export interface ZdTicket {
  id: number;
  subject: string;
  description: string;
  status: ZdStatus;
  priority: ZdPriority | null;
  type: ZdType | null;
  requesterId: number;
  submitterId: number;
  assigneeId: number | null;
  groupId: number | null;
  organizationId: number | null;
  tags: string[];
  customFields: ZdCustomField[];
  /** True when the first comment was public (Zendesk's ticket.is_public). */
  isPublic: boolean;
  createdAt: string;
  updatedAt: string;
  /** Position in the account's change order, which the incremental export cursor follows. */
  changeSeq: number;
}

export interface ZdComment {
  id: number;
  ticketId: number;
  auditId: number;
  authorId: number;
  body: string;
  htmlBody: string;
  plainBody: string;
  public: boolean;
  createdAt: string;
}

/** A field an audit records, with the names Zendesk uses in Create/Change events. */
export type TrackedField = 'status' | 'priority' | 'type' | 'group_id' | 'assignee_id' | 'organization_id' | 'tags' | 'subject' | 'requester_id';

export type FieldChange =
  | { field: Exclude<TrackedField, 'tags'>; previous: string | number | null; current: string | number | null }
  | { field: 'tags'; previous: string[]; current: string[] }
  | { field: 'custom_field'; id: number; previous: unknown; current: unknown };

export type AuditEvent =
  | { id: number; type: 'Comment'; commentId: number }
  | { id: number; type: 'Create' | 'Change'; change: FieldChange };

export interface ZdAudit {
  id: number;
  ticketId: number;
  authorId: number;
  createdAt: string;
  events: AuditEvent[];
}

/** One committed write: what the audit and the webhooks are built from. */
export interface TicketChange {
  ticket: ZdTicket;
  /** Who the change is attributed to (the comment author when an admin posted as someone else). */
  actorId: number;
  created: boolean;
  comment: ZdComment | null;
  changes: FieldChange[];
  audit: ZdAudit;
  at: string;
}
