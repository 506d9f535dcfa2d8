import { SUPPORT_EMAIL, type FdAgent, type FdCompany, type FdContact, type FdConversation, type FdGroup, type FdTicket, type FreshdeskState } from './state';

/**
 * Records as Freshdesk API v2 sends them (the fields its ticket, conversation, contact and company records carry, and the recorded
 * answers under test/fixtures/freshdesk/api). Fields the sandbox does not model are sent with
 * the values a plain account has (null, [] or false) so clients see the full shape.
 */

export interface TicketWireOptions {
  description: boolean;
  requester?: boolean;
  company?: boolean;
  conversations?: boolean;
  stats?: boolean;
}

/** Freshdesk's include=conversations embeds only the oldest ten; the list endpoint has them all. */
export const EMBEDDED_CONVERSATIONS = 10;

/**
 * Freshdesk's escalation flags, read at answer time from the sandbox clock: fr_escalated once the
 * first response came late or is still missing past fr_due_by, is_escalated once the ticket was
 * resolved late or is still unresolved past due_by. Both stay true once true, as in Freshdesk.
 */
function escalations(state: FreshdeskState, t: FdTicket): { frEscalated: boolean; isEscalated: boolean } {
  const now = state.now().getTime();
  const at = (iso: string | null) => (iso === null ? now : Date.parse(iso));
  return {
    frEscalated: at(t.stats.firstRespondedAt) > Date.parse(t.frDueBy),
    isEscalated: at(t.stats.resolvedAt ?? t.stats.closedAt) > Date.parse(t.dueBy),
  };
}

export function ticketWire(state: FreshdeskState, t: FdTicket, options: TicketWireOptions): Record<string, unknown> {
  const { frEscalated, isEscalated } = escalations(state, t);
  const out: Record<string, unknown> = {
    cc_emails: [...t.ccEmails],
    fwd_emails: [],
    reply_cc_emails: [...t.ccEmails],
    ticket_cc_emails: [...t.ccEmails],
    fr_escalated: frEscalated,
    spam: false,
    email_config_id: null,
    group_id: t.groupId,
    priority: t.priority,
    requester_id: t.requesterId,
    responder_id: t.responderId,
    source: t.source,
    company_id: t.companyId,
    status: t.status,
    subject: t.subject,
    association_type: null,
    support_email: t.source === 1 ? SUPPORT_EMAIL : null,
    to_emails: t.source === 1 ? [SUPPORT_EMAIL] : null,
    product_id: null,
    id: t.id,
    type: t.type,
    due_by: t.dueBy,
    fr_due_by: t.frDueBy,
    is_escalated: isEscalated,
    custom_fields: { ...t.customFields },
    created_at: t.createdAt,
    updated_at: t.updatedAt,
    associated_tickets_count: null,
    tags: [...t.tags],
    attachments: [],
    nr_due_by: null,
    nr_escalated: false,
  };
  if (options.description) {
    out['description'] = t.description;
    out['description_text'] = t.descriptionText;
  }
  if (options.requester) out['requester'] = requesterEmbed(state, t.requesterId);
  if (options.company) {
    const company = t.companyId === null ? undefined : state.companies.get(t.companyId);
    if (company) out['company'] = { id: company.id, name: company.name };
  }
  if (options.conversations) {
    out['conversations'] = state.conversationsOf(t.id).slice(0, EMBEDDED_CONVERSATIONS).map(conversationWire);
  }
  if (options.stats) out['stats'] = statsWire(t);
  return out;
}

/** `include=requester` embeds five fields only; an agent can be a requester too. */
function requesterEmbed(state: FreshdeskState, userId: number): Record<string, unknown> {
  return { email: state.userEmail(userId), id: userId, mobile: null, name: state.userName(userId), phone: null };
}

function statsWire(t: FdTicket): Record<string, unknown> {
  const s = t.stats;
  return {
    agent_responded_at: s.agentRespondedAt,
    requester_responded_at: s.requesterRespondedAt,
    first_responded_at: s.firstRespondedAt,
    status_updated_at: s.statusUpdatedAt,
    reopened_at: s.reopenedAt,
    resolved_at: s.resolvedAt,
    closed_at: s.closedAt,
    pending_since: s.pendingSince,
  };
}

export function conversationWire(c: FdConversation): Record<string, unknown> {
  return {
    body: c.body,
    body_text: c.bodyText,
    id: c.id,
    incoming: c.incoming,
    private: c.private,
    user_id: c.userId,
    support_email: c.supportEmail,
    source: c.source,
    // Freshdesk's category: 3 for what came in from the customer, 2 for agents' own.
    category: c.incoming ? 3 : 2,
    to_emails: [...c.toEmails],
    from_email: c.fromEmail,
    cc_emails: [...c.ccEmails],
    bcc_emails: null,
    email_failure_count: null,
    outgoing_failures: null,
    created_at: c.createdAt,
    updated_at: c.createdAt,
    attachments: [],
    last_edited_at: null,
    last_edited_user_id: null,
    automation_id: null,
    automation_type_id: null,
    auto_response: false,
    ticket_id: c.ticketId,
    source_additional_info: null,
  };
}

/** An agent's name and email live on its embedded contact; the agent id is its user id. */
export function agentWire(a: FdAgent): Record<string, unknown> {
  return {
    available: true,
    occasional: false,
    id: a.id,
    ticket_scope: 1,
    signature: null,
    group_ids: [...a.groupIds],
    role_ids: [],
    skill_ids: [],
    available_since: null,
    contribution_group_ids: [],
    created_at: a.createdAt,
    updated_at: a.createdAt,
    last_active_at: null,
    agent_operational_status: null,
    type: 'support_agent',
    focus_mode: true,
    contact: {
      active: true,
      email: a.email,
      job_title: null,
      language: 'en',
      last_login_at: null,
      mobile: null,
      name: a.name,
      phone: null,
      time_zone: 'London',
      created_at: a.createdAt,
      updated_at: a.createdAt,
    },
  };
}

export function contactWire(c: FdContact): Record<string, unknown> {
  return {
    active: true,
    address: null,
    company_id: c.companyId,
    description: null,
    email: c.email,
    id: c.id,
    job_title: null,
    language: 'en',
    mobile: null,
    name: c.name,
    phone: null,
    time_zone: 'London',
    twitter_id: null,
    custom_fields: {},
    facebook_id: null,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    view_all_tickets: false,
    other_emails: [],
    other_companies: [],
    unique_external_id: null,
    deleted: false,
    tags: [],
  };
}

export function companyWire(c: FdCompany): Record<string, unknown> {
  return {
    id: c.id,
    name: c.name,
    description: null,
    note: null,
    domains: [...c.domains],
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    custom_fields: {},
    health_score: null,
    account_tier: null,
    renewal_date: null,
    industry: null,
  };
}

export function groupWire(g: FdGroup, agentIds: number[]): Record<string, unknown> {
  return {
    id: g.id,
    name: g.name,
    description: g.description,
    escalate_to: null,
    unassigned_for: null,
    business_hour_id: null,
    group_type: 'support_agent_group',
    agent_ids: agentIds,
    auto_ticket_assign: false,
    created_at: g.createdAt,
    updated_at: g.createdAt,
  };
}
