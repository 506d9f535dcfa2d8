import type { ZdAudit, ZdComment, ZdGroup, ZdOrganization, ZdTicket, ZdUser } from './model';

/** Zendesk timestamps have whole seconds: "2025-01-08T14:25:30Z". */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The account's records. Tests and the demo read it for end-state checks; only the ticket
 * operations (tickets.ts) write tickets, comments and audits, so every write has an audit and
 * its webhooks.
 */
export class ZendeskState {
  readonly users = new Map<number, ZdUser>();
  readonly organizations = new Map<number, ZdOrganization>();
  readonly groups = new Map<number, ZdGroup>();
  readonly tickets = new Map<number, ZdTicket>();
  /** Per ticket, oldest first. */
  readonly comments = new Map<number, ZdComment[]>();
  readonly audits: ZdAudit[] = [];

  private lastTicketId = 5149;
  // Comments, audits and audit events share one increasing sequence, as in Zendesk, where a
  // comment's id is the id of its audit event.
  private lastRecordId = 30112233440000;
  private lastUserId = 8447388091000;
  private lastChangeSeq = 0;

  constructor(readonly now: () => Date) {}

  timestamp(): string {
    return isoSeconds(this.now());
  }

  /**
   * A change time that is later than the ticket's last one: Zendesk stamps whole seconds, and a
   * burst of writes in one second must still leave updated_at moving forward.
   */
  changeTime(previous: string | null): string {
    const now = this.now().getTime();
    const floor = previous === null ? Number.NEGATIVE_INFINITY : Date.parse(previous) + 1000;
    return isoSeconds(new Date(Math.max(now, floor)));
  }

  nextTicketId(): number {
    this.lastTicketId += 1;
    return this.lastTicketId;
  }

  nextRecordId(): number {
    this.lastRecordId += 1;
    return this.lastRecordId;
  }

  nextUserId(): number {
    this.lastUserId += 1;
    return this.lastUserId;
  }

  nextChangeSeq(): number {
    this.lastChangeSeq += 1;
    return this.lastChangeSeq;
  }

  get currentChangeSeq(): number {
    return this.lastChangeSeq;
  }

  userByEmail(email: string): ZdUser | undefined {
    const wanted = email.trim().toLowerCase();
    for (const u of this.users.values()) if (u.email.toLowerCase() === wanted) return u;
    return undefined;
  }

  /** The organisation whose domain_names hold the email's domain, as Zendesk maps new users. */
  organizationForEmail(email: string): ZdOrganization | null {
    const domain = email.trim().toLowerCase().split('@')[1];
    if (!domain) return null;
    for (const org of this.organizations.values()) {
      if (org.domainNames.some((d) => d.toLowerCase() === domain)) return org;
    }
    return null;
  }

  commentsOf(ticketId: number): ZdComment[] {
    let list = this.comments.get(ticketId);
    if (!list) {
      list = [];
      this.comments.set(ticketId, list);
    }
    return list;
  }

  isStaff(user: ZdUser): boolean {
    return user.role !== 'end-user';
  }
}
