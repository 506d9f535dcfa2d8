/**
 * The canonical model. Vendor shapes stop at src/vendors/: everything past a mapper speaks
 * these types only, so the policy engine, the Jira composer and the store never learn a
 * vendor's field names.
 */

export type Vendor = 'freshdesk' | 'zendesk' | 'jira';
export type HelpdeskVendor = 'freshdesk' | 'zendesk';
export const VENDORS: readonly Vendor[] = ['freshdesk', 'zendesk', 'jira'];
export const HELPDESK_VENDORS = ['freshdesk', 'zendesk'] as const satisfies readonly HelpdeskVendor[];

/** The canonical statuses (docs/rules.md, "Mirroring and lifecycle"). */
export const CANONICAL_STATUSES = ['open', 'pending', 'in_progress', 'on_hold', 'resolved', 'closed'] as const;
export type CanonicalStatus = (typeof CANONICAL_STATUSES)[number];
export type CanonicalPriority = 'low' | 'normal' | 'high' | 'urgent';

export type PersonRole = 'end-user' | 'agent' | 'admin' | 'unknown';

export interface Person {
  id: string;
  name: string | null;
  email: string | null;
  role: PersonRole;
  organisationId: string | null;
}

export interface Organisation {
  id: string;
  name: string;
  domains: string[];
}

export interface TicketComment {
  id: string;
  authorId: string | null;
  author: Person | null;
  /** true when the requester can see it (a public reply), false for a private note. */
  public: boolean;
  /** true when it came from outside (the requester), as far as the vendor says. */
  incoming: boolean;
  bodyText: string;
  bodyHtml: string | null;
  createdAt: string;
  /** Files attached to the comment, where the vendor's answer lists them (M3 mirrors them as links). */
  attachments?: Array<{ name: string; url: string }>;
}

/** Identity of a ticket or issue across the whole service. */
export interface EntityRef {
  vendor: Vendor;
  connectionId: string;
  /** The vendor's stable id as a string (ticket id; Jira's numeric issue id). */
  id: string;
}

export interface Ticket {
  vendor: HelpdeskVendor;
  connectionId: string;
  id: string;
  /** Link an agent can open. */
  url: string;
  subject: string;
  descriptionText: string;
  descriptionHtml: string | null;
  status: CanonicalStatus;
  /** The vendor's own status value, kept for notes and for custom statuses. */
  vendorStatus: string;
  priority: CanonicalPriority | null;
  type: string | null;
  groupId: string | null;
  /** The group's name, where the worker knows it (looked up once, cached). */
  groupName?: string | null;
  assigneeId: string | null;
  /** The assignee as a person, where the vendor's answer named them. */
  assignee?: Person | null;
  requester: Person | null;
  organisation: Organisation | null;
  tags: string[];
  customFields: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  /** Every reply and note, oldest first. */
  comments: TicketComment[];
  /**
   * The helpdesk's own SLA policy for this ticket, where its answer carries one (Freshdesk
   * fr_due_by/due_by on every ticket; Zendesk only when asked with include=slas). S1 uses it
   * when the connection's SLA source is the helpdesk.
   */
  helpdeskSla?: HelpdeskSla | null;
}

/** One target of the helpdesk's own SLA policy. */
export interface HelpdeskSlaTarget {
  /** When it breaches (or breached), ISO UTC; null while paused or once achieved, where the vendor says so. */
  dueAt: string | null;
  /** null where the vendor does not say (Freshdesk). */
  stage: 'active' | 'paused' | 'achieved' | null;
}

export interface HelpdeskSla {
  firstResponse: HelpdeskSlaTarget | null;
  resolution: HelpdeskSlaTarget | null;
}

export interface JiraIssue {
  connectionId: string;
  id: string;
  key: string;
  /** Browse link: <base>/browse/<key>. */
  url: string;
  summary: string;
  status: { id: string | null; name: string; categoryKey: string | null };
  issueType: string | null;
  priority: string | null;
  labels: string[];
  assigneeAccountId: string | null;
  resolution: string | null;
  created: string;
  updated: string;
  /** Every comment, oldest first (M1 mirrors the new ones). */
  comments: JiraComment[];
}

export interface JiraComment {
  id: string;
  authorAccountId: string | null;
  authorName: string | null;
  /** The ADF body as plain text. */
  bodyText: string;
  /** false for a Jira Service Management internal comment; true otherwise (Jira Software has no such split). */
  public: boolean;
  created: string;
  updated: string;
}

/** A change of a helpdesk ticket the vendor client can apply. Absent keys are untouched. */
export interface TicketPatch {
  groupId?: string | null;
  assigneeId?: string | null;
  status?: CanonicalStatus;
  priority?: CanonicalPriority;
  organisationId?: string | null;
  tags?: { add?: string[]; remove?: string[] };
  /** Custom field values by the vendor's field key (Freshdesk cf_name, Zendesk field id). */
  customFields?: Record<string, string>;
}
