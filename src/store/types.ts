import type { SlaState } from '../domain/sla';
import type { EntityRef, Vendor } from '../domain/ticket';

/**
 * The Store: everything helpdesk-sync keeps. SQLite implements it now; PostgreSQL will
 * implement the same interface, so nothing outside src/store/ may know SQL or driver types.
 * Every method is async because the PostgreSQL implementation is.
 */

export type InboxStatus = 'pending' | 'processing' | 'done' | 'dead';
/** backfill events wait behind every live one (webhook, poll) that is runnable. */
export type EventSource = 'webhook' | 'poll' | 'replay' | 'backfill';

export interface NewInboxEvent {
  vendor: Vendor;
  connectionId: string;
  /** What the event is about: `ticket:<id>` for helpdesks, `issue:<id>` for Jira. Events of one entity run in order. */
  entityKey: string;
  /** Vendor delivery id where there is one, else a content hash: a redelivery has the same key. */
  dedupeKey: string;
  /**
   * How long the key identifies a delivery: null for vendor ids (for ever); a window for
   * content hashes, because two genuinely different events may render identical bodies.
   */
  dedupeWindowMs: number | null;
  eventType: string;
  source: EventSource;
  /** The parsed body as received (already verified). */
  payload: unknown;
  /**
   * The body's JSON text when the caller has it (the verified raw body of a webhook): stored as
   * is instead of serialising `payload` again. Must parse to `payload`.
   */
  payloadText?: string;
  /** Delivery headers worth keeping (ids, retry counts), never signatures or credentials. */
  headers: Record<string, string>;
  receivedAt: Date;
}

export interface InboxEvent extends Omit<NewInboxEvent, 'dedupeWindowMs' | 'payloadText'> {
  id: number;
  status: InboxStatus;
  attempts: number;
  nextAttemptAt: Date;
  lockedBy: string | null;
  lockedUntil: Date | null;
  lastError: string | null;
  processedAt: Date | null;
}

export interface EnqueueResult {
  eventId: number;
  duplicate: boolean;
}

/**
 * open: the event is dead and waits for a person; replayed: put back to pending (it may die
 * again, and is open again then, under the same id); discarded: a person decided it is not to
 * be replayed (the event stays in the inbox, dead).
 */
export type DeadLetterState = 'open' | 'replayed' | 'discarded';

/**
 * One per inbox event that ever died: a replayed event that dies again keeps its dead letter
 * (same id), whose fields then describe the latest death; every death, replay and discard is
 * in its history.
 */
export interface DeadLetter {
  id: number;
  eventId: number;
  vendor: Vendor;
  connectionId: string;
  entityKey: string;
  eventType: string;
  /** The attempts of the latest death. */
  attempts: number;
  /** The last error of the latest death. */
  error: string;
  /** When it died last. */
  deadAt: Date;
  /** When it was last replayed, if it has not died again since. */
  replayedAt: Date | null;
  state: DeadLetterState;
  /** How many times the event died. */
  deaths: number;
  discardedAt: Date | null;
  discardedBy: string | null;
  discardReason: string | null;
}

/** One step of a dead letter's history, oldest first. */
export interface DeadLetterHistoryEntry {
  at: Date;
  action: 'dead' | 'replayed' | 'discarded';
  /** dead: the attempts spent. */
  attempts: number | null;
  /** dead: the last error. */
  error: string | null;
  /** Who: the worker for a death, the person (user@host) for a replay or a discard. */
  by: string | null;
  /** discarded: why. */
  reason: string | null;
}

export interface DeadLetterWithHistory extends DeadLetter {
  history: DeadLetterHistoryEntry[];
}

export interface DeadLetterFilter {
  vendor?: Vendor;
  connectionId?: string;
  /** Replayed ones too (listing only; a replay takes open ones alone). */
  includeReplayed?: boolean;
  /** Discarded ones too (listing only). */
  includeDiscarded?: boolean;
}

export interface DeadLetterReplay {
  /** These dead letters: open ones, and discarded ones (naming an id brings it back); replayed ones are skipped. */
  ids?: number[];
  /** Every open dead letter matching this (never a discarded or replayed one). */
  filter?: DeadLetterFilter;
  /** Who replays, for the history (user@host). */
  by?: string;
}

export type DiscardOutcome = 'discarded' | 'not-found' | 'already-discarded' | 'not-dead';

export interface InboxCounts {
  pending: number;
  processing: number;
  done: number;
  dead: number;
}

/** The last state seen of a ticket or issue, to derive what changed. */
export interface EntitySnapshot {
  ref: EntityRef;
  data: unknown;
  /** The vendor's updated_at of that state. */
  vendorUpdatedAt: string | null;
  savedAt: Date;
  deleted: boolean;
}

export interface TicketLink {
  ticket: EntityRef;
  jiraConnectionId: string;
  /** Null while the create call is under way: the link is written before and after it (J1). */
  issueId: string | null;
  issueKey: string | null;
  state: 'creating' | 'linked';
  /** bug or request (J3), once linked. */
  kind: string | null;
  /** Sections a bug was raised without (J5); emptied when they arrive. */
  missing: string[];
  createdAt: Date;
  updatedAt: Date;
}

export interface TicketOwner {
  ticket: EntityRef;
  ownerId: string;
  ownerGroupId: string | null;
  since: Date;
  claimedAt: Date | null;
}

export type HandoffDirection = 'escalate' | 'handback' | 'consult' | 'return' | 'reassign';

export interface Handoff {
  id?: number;
  ticket: EntityRef;
  at: Date;
  actorId: string | null;
  direction: HandoffDirection;
  fromGroupId: string | null;
  toGroupId: string | null;
  fromAssigneeId: string | null;
  toAssigneeId: string | null;
  commentId: string | null;
}

export type Verdict = 'ok' | 'violation' | 'corrected' | 'info';

/** One entry of the audit trail: a rule's decision about a ticket. */
export interface Decision {
  id?: number;
  ticket: EntityRef;
  ruleId: string;
  verdict: Verdict;
  actorId: string | null;
  at: Date;
  summary: string;
  actions: unknown[];
  eventId: number | null;
  /**
   * One key per decision, whichever attempt or path makes it: a second record with the same
   * key is ignored, so a retried event records its decisions once.
   */
  key?: string | null;
}

/**
 * The ledger: one row per write helpdesk-sync makes, keyed so a retry never repeats it. It says
 * what was written (kind, rule), where (target: the ticket or Jira issue written to) and the
 * vendor's id of the result (the note's or comment's id), so the write's echo is recognised
 * when its webhook comes back (M5). `started` rows belong to a write whose outcome is not known
 * yet (in flight, or its answer was lost): a retry looks for it at the vendor before writing.
 */
export interface ExecutedAction {
  idempotencyKey: string;
  /** The helpdesk ticket the write is about (the pair's ticket for Jira writes). */
  ticket: EntityRef | null;
  kind: string;
  result: unknown;
  at: Date;
  ruleId?: string | null;
  target?: EntityRef | null;
  resultId?: string | null;
  state?: 'started' | 'done';
}

export interface LedgerFilter {
  ticket?: EntityRef;
  target?: EntityRef;
  /** Only rows whose key starts with this. */
  keyPrefix?: string;
  since?: Date;
  limit?: number;
}

export interface JobRun {
  id: number;
  job: string;
  startedAt: Date;
  finishedAt: Date | null;
  outcome: 'running' | 'ok' | 'failed' | 'skipped';
  /** seen, changed, enqueued, errors ... as the job counts them. */
  summary: Record<string, number>;
  error: string | null;
  holder: string;
}

export interface CursorRow {
  name: string;
  value: string;
  updatedAt: Date;
}

/** An open circuit breaker of one vendor connection in one process (see vendors/core/circuit.ts). */
export interface CircuitRecord {
  vendor: Vendor;
  connectionId: string;
  /** The process (worker id) whose breaker it is. */
  holder: string;
  state: 'open' | 'half-open';
  reason: 'outage' | 'auth' | 'rate_limited' | null;
  failures: number;
  openedAt: Date | null;
  probeAt: Date | null;
  lastError: string | null;
  updatedAt: Date;
}

/** One ticket's service levels (S1-S3): its SLA history, the clock's last reading, its escalations. */
export interface SlaRecord {
  ticket: EntityRef;
  state: SlaState;
  /** The ticket is not resolved or closed. */
  open: boolean;
  /**
   * When the sla job must look at the ticket again: the earliest due time of a target not yet
   * escalated, or of a linked bug's fix target not yet marked. Null when nothing can breach
   * without a change to the ticket (which comes as an event).
   */
  nextCheckAt: Date | null;
  updatedAt: Date;
}

export interface SlaFilter {
  vendor?: Vendor;
  connectionId?: string;
  openOnly?: boolean;
  /** Keyset paging: records after this ticket, in (vendor, connection, ticket id) order. */
  after?: EntityRef;
  limit?: number;
}

/** listAuditPairs: which linked pairs, in (vendor, connection, ticket id) order. */
export interface AuditPairFilter {
  vendor?: Vendor;
  connectionId?: string;
  /** Pairs whose link was made (the Jira raise began) at or after this. */
  linkedFrom?: Date;
  /** ... and before this. */
  linkedTo?: Date;
  /** Only pairs with a violation or a correction recorded under this rule (E2, H3 ...). */
  ruleId?: string;
  /** Keyset paging: pairs after this ticket. */
  after?: EntityRef;
  limit: number;
}

/** Everything the store keeps about one linked pair, for the audit (A1) to judge. */
export interface AuditFacts {
  link: TicketLink;
  /** The ticket's last snapshot (a Ticket), or null when none was kept. */
  ticket: EntitySnapshot | null;
  /** The Jira issue's last snapshot (a JiraIssue): vendor jira, the link's Jira connection, the issue id. */
  issue: EntitySnapshot | null;
  owner: TicketOwner | null;
  sla: SlaRecord | null;
  /** The whole handoff trail, oldest first. */
  handoffs: Handoff[];
  /**
   * The decisions that matter to a lead, oldest first: every violation and correction of any
   * rule, and every E5 (knowledge capture) and M6 (drift) decision whatever its verdict.
   */
  decisions: Decision[];
}

/** listViolations: violations and corrections, newest first. */
export interface ViolationFilter {
  vendor?: Vendor;
  connectionId?: string;
  ruleId?: string;
  /** Decided at or after this. */
  from?: Date;
  /** ... and before this. */
  to?: Date;
  /** Keyset paging: decisions with a smaller id than this. */
  beforeId?: number;
  limit: number;
}

/** One UTC day of the audit's chart. */
export interface AuditDay {
  /** YYYY-MM-DD, UTC. */
  day: string;
  /** Handoffs up a tier or to a manager (direction escalate). */
  escalations: number;
  /** Decisions with verdict violation or corrected. */
  violations: number;
  /** Jira issues raised (links made). */
  raised: number;
}

export interface AuditTimelineFilter {
  vendor?: Vendor;
  connectionId?: string;
  from: Date;
  to: Date;
}

export interface FailOptions {
  /** Default true. */
  countAttempt?: boolean;
}

export interface StoreHealth {
  ok: boolean;
  schemaVersion: number;
  expectedVersion: number;
  error?: string;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  health(): Promise<StoreHealth>;
  close(): Promise<void>;

  // Inbox: the one door of every event.
  enqueue(event: NewInboxEvent): Promise<EnqueueResult>;
  /**
   * The oldest runnable event whose entity has no earlier unfinished event, leased to the
   * worker. Per-entity order holds across concurrent workers and instances.
   */
  claimNext(workerId: string, now: Date, leaseMs: number): Promise<InboxEvent | null>;
  /**
   * Done. With `coveredBefore`, the same transaction also marks done the entity's pending events
   * that arrived by then (the fetch that processed this one saw their changes), and returns how
   * many: one commit, so neither a crash nor another worker sees one without the other.
   */
  complete(eventId: number, workerId: string, now: Date, coveredBefore?: Date): Promise<number>;
  /**
   * Marks done the pending events of the same entity that arrived before `fetchedAfter`: the
   * fetch that processed `eventId` started later, so it already saw their changes. Returns how many.
   */
  coalesce(eventId: number, fetchedAfter: Date, now: Date): Promise<number>;
  /**
   * Failed attempt: back to pending, runnable at retryAt. With countAttempt false (the
   * connection was at fault, not the event: an open circuit, a Retry-After) the claim's
   * attempt is given back, so waiting out an outage spends none of the event's budget.
   */
  fail(eventId: number, workerId: string, error: string, retryAt: Date, options?: FailOptions): Promise<void>;
  /** Gave up: out of the inbox into the dead letters, with the last error. */
  deadLetter(eventId: number, workerId: string, error: string, now: Date): Promise<void>;
  /** Events left `processing` by a worker that is gone become pending again. */
  requeueInterrupted(now: Date): Promise<number>;
  getEvent(eventId: number): Promise<InboxEvent | null>;
  listEvents(filter: { entityKey?: string; vendor?: Vendor; connectionId?: string; status?: InboxStatus; limit?: number }): Promise<InboxEvent[]>;
  inboxCounts(): Promise<InboxCounts>;
  /** Open dead letters (the filter may add replayed and discarded ones), oldest id first. */
  listDeadLetters(filter?: DeadLetterFilter): Promise<DeadLetter[]>;
  /** One dead letter, whatever its state, with its history; null when there is no such id. */
  getDeadLetter(id: number): Promise<DeadLetterWithHistory | null>;
  /**
   * Requeues dead letters (all open ones matching the filter, or the given ids): each event goes
   * back to pending, its dead letter is marked replayed (same id if it dies again). Returns how many.
   */
  replayDeadLetters(selection: DeadLetterReplay, now: Date): Promise<number>;
  /**
   * A person gives up on an open dead letter: marked discarded with the reason, who and when.
   * The event stays in the inbox, dead (nothing acknowledged is deleted); lists and replays of
   * all open letters leave it out. not-dead: it was replayed and has not died again.
   */
  discardDeadLetter(id: number, reason: string, by: string, now: Date): Promise<DiscardOutcome>;

  // Snapshots.
  getSnapshot(ref: EntityRef): Promise<EntitySnapshot | null>;
  saveSnapshot(snapshot: EntitySnapshot): Promise<void>;
  /** T4: other tickets of one requester on a connection created since a moment, from the snapshots kept. */
  recentTicketsOfRequester(
    vendor: Vendor,
    connectionId: string,
    requesterId: string,
    sinceIso: string,
  ): Promise<Array<{ id: string; subject: string; createdAt: string; url: string }>>;

  /**
   * E3's sweep: open tickets whose recorded owner is not their current assignee (with a
   * reviewer, or unassigned at a group), from the kept snapshots.
   */
  listTicketsAwayFromOwner(): Promise<EntityRef[]>;

  // Ticket-to-Jira links.
  getLinkByTicket(ticket: EntityRef): Promise<TicketLink | null>;
  getLinkByIssue(jiraConnectionId: string, issueId: string): Promise<TicketLink | null>;
  /**
   * Reserves the ticket's link before a create call. Returns false if a link (creating or
   * linked) already exists: only one worker may create the issue.
   */
  reserveLink(ticket: EntityRef, jiraConnectionId: string, now: Date): Promise<boolean>;
  completeLink(ticket: EntityRef, link: { issueId: string; issueKey: string; kind: string; missing: string[] }, now: Date): Promise<void>;
  /** Records which J5 sections the linked issue still lacks. */
  setLinkMissing(ticket: EntityRef, missing: string[], now: Date): Promise<void>;
  releaseLink(ticket: EntityRef): Promise<void>;
  listLinks(filter?: { vendor?: Vendor; connectionId?: string }): Promise<TicketLink[]>;

  // Ownership and the handoff trail.
  getOwner(ticket: EntityRef): Promise<TicketOwner | null>;
  setOwner(owner: TicketOwner): Promise<void>;
  appendHandoff(handoff: Handoff): Promise<number>;
  listHandoffs(ticket: EntityRef): Promise<Handoff[]>;

  // Audit trail.
  /** Returns the decision's id; with a key already recorded, the existing decision's id. */
  recordDecision(decision: Decision): Promise<number>;
  listDecisions(filter: { ticket?: EntityRef; ruleId?: string; limit?: number }): Promise<Decision[]>;

  // Executor bookkeeping.
  getExecutedAction(idempotencyKey: string): Promise<ExecutedAction | null>;
  /** Inserts the row unless its key exists; true when inserted. */
  recordExecutedAction(action: ExecutedAction): Promise<boolean>;
  /** A started write finished: state done, with the vendor's id of what it wrote. */
  finishExecutedAction(idempotencyKey: string, done: { resultId: string | null; result: unknown; at: Date }): Promise<void>;
  /** A started write that certainly did not happen (the vendor refused it): its key is free again. */
  forgetExecutedAction(idempotencyKey: string): Promise<void>;
  /** M5: the write of ours whose result is this vendor id on that connection (a note, a comment). */
  findWriteByResult(vendor: Vendor, connectionId: string, resultId: string): Promise<ExecutedAction | null>;
  listExecutedActions(filter: LedgerFilter): Promise<ExecutedAction[]>;

  // Scheduled jobs: a lock per job with an expiry (a dead holder frees it), and their runs.
  /** Takes the lock if free, expired, or already held by `holder`; true when held now. */
  acquireLock(name: string, holder: string, now: Date, ttlMs: number): Promise<boolean>;
  releaseLock(name: string, holder: string): Promise<void>;
  startJobRun(job: string, holder: string, now: Date): Promise<number>;
  finishJobRun(id: number, end: { outcome: JobRun['outcome']; summary: Record<string, number>; error: string | null }, now: Date): Promise<void>;
  /** The newest run of each job. */
  lastJobRuns(): Promise<JobRun[]>;
  /** Pending events of one source (backfill waits while too many of its own are queued). */
  countPending(source: EventSource): Promise<number>;

  // Circuit breakers, for operators (each process keeps its own in memory).
  saveCircuit(record: CircuitRecord): Promise<void>;
  clearCircuit(vendor: Vendor, connectionId: string, holder: string): Promise<void>;
  listCircuits(): Promise<CircuitRecord[]>;

  // Service levels (S1-S3).
  getSla(ticket: EntityRef): Promise<SlaRecord | null>;
  /** Inserts or replaces the ticket's record. */
  saveSla(record: SlaRecord): Promise<void>;
  /** The sla job's work: records whose nextCheckAt is at or before `now`, earliest first. */
  listSlaDue(now: Date, limit: number): Promise<SlaRecord[]>;
  /** Records in (vendor, connection, ticket id) order, for explain and the audit. */
  listSla(filter?: SlaFilter): Promise<SlaRecord[]>;
  /**
   * Helpdesk tickets the store has a live snapshot of but no SLA record (known before SLA
   * tracking began), in (vendor, connection, ticket id) order after `after`.
   */
  listTicketsWithoutSla(limit: number, after?: EntityRef): Promise<EntityRef[]>;

  // The audit (A1): indexed reads only, so they stay fast on 100,000 pairs.
  /** Linked pairs (state linked or creating) with their facts, in (vendor, connection, ticket id) order. */
  listAuditPairs(filter: AuditPairFilter): Promise<AuditFacts[]>;
  /** Decisions with verdict violation or corrected, newest (highest id) first. */
  listViolations(filter: ViolationFilter): Promise<Decision[]>;
  /** Escalations, violations and raises per UTC day in [from, to); days with none are left out. */
  auditTimeline(filter: AuditTimelineFilter): Promise<AuditDay[]>;

  // Sync cursors (polls).
  getCursor(name: string): Promise<string | null>;
  setCursor(name: string, value: string, now: Date): Promise<void>;
  listCursors(): Promise<CursorRow[]>;
}

/**
 * The store itself failed (a full disk, a lost or refused database connection), not the event:
 * SQLite's codes, PostgreSQL's connection and resource classes (08, 53, 57P), or the driver
 * losing its socket. An attempt that meets one is not the event's fault.
 */
export function isStoreUnavailable(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (/^SQLITE_(FULL|IOERR|BUSY|LOCKED|READONLY|CANTOPEN|NOMEM)/.test(code)) return true;
    if (/^(08|53|57P)/.test(code)) return true;
    if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EPIPE' || code === 'ETIMEDOUT') return true;
  }
  const message = (err as { message?: unknown }).message;
  return typeof message === 'string' && /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/.test(message);
}

export function entityKeyOf(kind: 'ticket' | 'issue', id: string): string {
  return `${kind}:${id}`;
}
