import type { AuditEvent, ZdAudit, ZdComment, ZdGroup, ZdOrganization, ZdTicket, ZdUser } from './model';
import type { ZendeskState } from './state';

/**
 * Records in Zendesk's REST JSON (numeric ids, lower-case enums, snake_case). Fields the
 * sandbox does not model (brands, forms, followers, satisfaction) carry Zendesk's empty
 * values so that clients reading them see the same shape as on a real account.
 */

const VIA_API = { channel: 'api', source: { from: {}, to: {}, rel: null } } as const;
export const BRAND_ID = 8447308454686;
export const TICKET_FORM_ID = 8447308463774;

export function presentTicket(base: string, t: ZdTicket, withGeneratedTimestamp = false): Record<string, unknown> {
  const customFields = t.customFields.map((f) => ({ id: f.id, value: f.value }));
  return {
    url: `${base}/api/v2/tickets/${t.id}.json`,
    id: t.id,
    external_id: null,
    via: VIA_API,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
    ...(withGeneratedTimestamp ? { generated_timestamp: Math.floor(Date.parse(t.updatedAt) / 1000) } : {}),
    type: t.type,
    subject: t.subject,
    raw_subject: t.subject,
    description: t.description,
    priority: t.priority,
    status: t.status,
    recipient: null,
    requester_id: t.requesterId,
    submitter_id: t.submitterId,
    assignee_id: t.assigneeId,
    organization_id: t.organizationId,
    group_id: t.groupId,
    collaborator_ids: [],
    follower_ids: [],
    email_cc_ids: [],
    problem_id: null,
    has_incidents: false,
    is_public: t.isPublic,
    due_at: null,
    tags: [...t.tags],
    custom_fields: customFields,
    fields: customFields,
    satisfaction_rating: null,
    sharing_agreement_ids: [],
    followup_ids: [],
    ticket_form_id: TICKET_FORM_ID,
    brand_id: BRAND_ID,
    allow_channelback: false,
    allow_attachments: true,
    from_messaging_channel: false,
  };
}

export function presentComment(c: ZdComment): Record<string, unknown> {
  return {
    id: c.id,
    type: 'Comment',
    author_id: c.authorId,
    body: c.body,
    html_body: c.htmlBody,
    plain_body: c.plainBody,
    public: c.public,
    attachments: [],
    audit_id: c.auditId,
    via: VIA_API,
    metadata: { system: {}, custom: {} },
    created_at: c.createdAt,
  };
}

export function presentUser(base: string, u: ZdUser): Record<string, unknown> {
  return {
    id: u.id,
    url: `${base}/api/v2/users/${u.id}.json`,
    name: u.name,
    email: u.email,
    created_at: u.createdAt,
    updated_at: u.updatedAt,
    time_zone: 'Eastern Time (US & Canada)',
    iana_time_zone: 'America/Toronto',
    locale: 'en-US',
    organization_id: u.organizationId,
    role: u.role,
    verified: true,
    active: true,
    suspended: false,
    external_id: null,
    default_group_id: u.groupIds[0] ?? null,
    tags: [],
    user_fields: {},
  };
}

export function presentOrganization(base: string, o: ZdOrganization): Record<string, unknown> {
  return {
    id: o.id,
    url: `${base}/api/v2/organizations/${o.id}.json`,
    name: o.name,
    domain_names: [...o.domainNames],
    details: '',
    notes: '',
    group_id: null,
    shared_tickets: false,
    shared_comments: false,
    external_id: null,
    tags: [],
    organization_fields: {},
    created_at: o.createdAt,
    updated_at: o.updatedAt,
  };
}

export function presentGroup(base: string, g: ZdGroup): Record<string, unknown> {
  return {
    id: g.id,
    url: `${base}/api/v2/groups/${g.id}.json`,
    name: g.name,
    description: '',
    default: false,
    deleted: false,
    is_public: true,
    created_at: g.createdAt,
    updated_at: g.updatedAt,
  };
}

function presentAuditEvent(state: ZendeskState, audit: ZdAudit, e: AuditEvent): Record<string, unknown> {
  if (e.type === 'Comment') {
    const comment = state.commentsOf(audit.ticketId).find((c) => c.id === e.commentId);
    return comment ? { ...presentComment(comment), id: e.id, type: 'Comment' } : { id: e.id, type: 'Comment' };
  }
  const c = e.change;
  const field = c.field === 'custom_field' ? String(c.id) : c.field;
  // Audits carry values as strings (tags as an array of them), whatever the field's REST type.
  const value = (v: unknown) => (typeof v === 'number' ? String(v) : v);
  return e.type === 'Create'
    ? { id: e.id, type: 'Create', field_name: field, value: value(c.current) }
    : { id: e.id, type: 'Change', field_name: field, value: value(c.current), previous_value: value(c.previous) };
}

export function presentAudit(state: ZendeskState, audit: ZdAudit): Record<string, unknown> {
  return {
    id: audit.id,
    ticket_id: audit.ticketId,
    created_at: audit.createdAt,
    author_id: audit.authorId,
    metadata: { system: {}, custom: {} },
    via: VIA_API,
    events: audit.events.map((e) => presentAuditEvent(state, audit, e)),
  };
}
