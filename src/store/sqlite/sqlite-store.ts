import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { SlaState } from '../../domain/sla';
import type { EntityRef, Vendor } from '../../domain/ticket';
import type {
  AuditDay,
  AuditFacts,
  AuditPairFilter,
  AuditTimelineFilter,
  CircuitRecord,
  DeadLetter,
  DeadLetterFilter,
  DeadLetterReplay,
  DeadLetterWithHistory,
  DiscardOutcome,
  FailOptions,
  Decision,
  EnqueueResult,
  EntitySnapshot,
  ExecutedAction,
  Handoff,
  InboxCounts,
  InboxEvent,
  InboxStatus,
  NewInboxEvent,
  Store,
  StoreHealth,
  TicketLink,
  TicketOwner,
  CursorRow,
  EventSource,
  JobRun,
  LedgerFilter,
  SlaFilter,
  SlaRecord,
  ViolationFilter,
} from '../types';
import {
  circuitValues,
  date,
  dateOrNull,
  dayOf,
  daySql,
  ms,
  refKey,
  refOf,
  str,
  strOrNull,
  toCircuit,
  toDeadLetter,
  toDeadLetterHistory,
  toDecision,
  toEvent,
  toExecuted,
  toHandoff,
  toLink,
  toOwner,
  type Row,
} from '../rows';
import { SQLITE_MIGRATIONS, SQLITE_SCHEMA_VERSION } from './migrations';

/** The vendors whose tickets have service levels, in byte order (listTicketsWithoutSla's order). */
const HELPDESK_VENDORS = ['freshdesk', 'zendesk'] as const;
/** listSla's page when the filter names none. */
const SLA_PAGE = 1000;
/** A row count for LIMIT: a whole number, never negative (SQLite reads LIMIT -1 as no limit). */
const limitOf = (limit: number | undefined, fallback: number) => Math.max(0, Math.floor(limit ?? fallback));

function toSla(row: Row): SlaRecord {
  return {
    ticket: refOf(row),
    state: JSON.parse(str(row.state)) as SlaState,
    open: Number(row.open) === 1,
    nextCheckAt: dateOrNull(row.next_check_at),
    updatedAt: date(row.updated_at),
  };
}

/** A snapshot row (deleted ones too: the flag says so). */
function toSnapshot(row: Row): EntitySnapshot {
  return {
    ref: refOf(row, 'entity_id'),
    data: JSON.parse(str(row.data)) as unknown,
    vendorUpdatedAt: strOrNull(row.vendor_updated_at),
    savedAt: date(row.saved_at),
    deleted: Number(row.deleted) === 1,
  };
}

/**
 * The keyset term of a walk in (vendor, connection_id, ticket_id) order strictly after `after`,
 * over `columns` (those three, maybe qualified). The key columns the filter fixes leave the
 * keyset: `vendor = ? AND (connection_id, ticket_id) > (?, ?)` is a range of the primary key,
 * where SQLite would scan the vendor from its start for a row value over all three columns
 * behind `vendor = ?`. Null when every row the filter selects comes before `after`; an empty
 * term when every one comes after it.
 */
function keysetAfter(after: EntityRef, filter: { vendor?: string; connectionId?: string }, columns: readonly string[]): { sql: string; params: string[] } | null {
  let cols = [...columns];
  let key: string[] = [after.vendor, after.connectionId, after.id];
  const fixed = filter.vendor ? [filter.vendor, filter.connectionId] : [];
  for (const value of fixed) {
    if (!value) break;
    const order = Buffer.compare(Buffer.from(value), Buffer.from(key[0] as string));
    // Every row the filter selects comes before `after`:
    if (order < 0) return null;
    // Every one comes after it:
    if (order > 0) return { sql: '', params: [] };
    cols = cols.slice(1);
    key = key.slice(1);
  }
  if (key.length === 0) return { sql: '', params: [] };
  return { sql: `(${cols.join(', ')}) > (${key.map(() => '?').join(', ')})`, params: key };
}

/** The verdicts the audit calls violations (a correction is a violation put right). */
const FLAGGED = "('violation','corrected')";
/** The decisions listAuditPairs returns: flagged ones of any rule, and E5's and M6's whatever their verdict. Same text as decisions_audit's predicate. */
const AUDIT_DECISION = "(d.verdict IN ('violation','corrected') OR d.rule_id IN ('E5','M6'))";








interface QueuedEnqueue {
  row: {
    vendor: string;
    connectionId: string;
    entityKey: string;
    dedupeKey: string;
    since: number;
    eventType: string;
    source: string;
    payload: string;
    headers: string;
    receivedAt: number;
  };
  resolve: (result: EnqueueResult) => void;
  reject: (err: unknown) => void;
}

/** Taken at load, so a test's fake timers cannot hold an enqueue group back. */
const defer: (fn: () => void) => void = setImmediate;

/**
 * Where a DATABASE_URL points for SQLite: a path, sqlite:<path>, file:<path> or :memory:. An
 * empty sqlite: or file: gives '' (openStore refuses it).
 */
export function sqlitePathOf(url: string): string {
  const value = url.trim();
  if (/^((sqlite|file):)?:memory:$/i.test(value)) return ':memory:';
  return value.replace(/^sqlite:(\/\/)?/i, '').replace(/^file:(\/\/)?/i, '');
}

/**
 * The embedded default store. better-sqlite3 is synchronous; WAL lets readers run beside the
 * one writer, and synchronous=FULL makes every acknowledged webhook survive a power cut, not
 * only a process crash.
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly queuedEnqueues: QueuedEnqueue[] = [];

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
  }

  /** Prepared once per SQL text: preparing costs more than running most of these statements. */
  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  private migrate(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    const applied = new Set(
      (this.sql('SELECT version FROM schema_migrations').all() as Row[]).map((r) => Number(r.version)),
    );
    for (const m of SQLITE_MIGRATIONS) {
      if (applied.has(m.version)) continue;
      this.db.transaction(() => {
        this.db.exec(m.sql);
        this.sql('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
      }).immediate();
    }
  }

  async health(): Promise<StoreHealth> {
    try {
      const row = this.sql('SELECT MAX(version) AS v FROM schema_migrations').get() as Row;
      const version = Number(row.v ?? 0);
      return { ok: version === SQLITE_SCHEMA_VERSION, schemaVersion: version, expectedVersion: SQLITE_SCHEMA_VERSION };
    } catch (err) {
      return { ok: false, schemaVersion: 0, expectedVersion: SQLITE_SCHEMA_VERSION, error: (err as Error).message };
    }
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  // ---- inbox

  /**
   * Enqueues are grouped: every webhook that arrives in one turn of the event loop is written
   * in one transaction, so one fsync (synchronous=FULL) acknowledges many deliveries instead of
   * one. Each caller's promise settles only after the commit that holds its event.
   */
  async enqueue(e: NewInboxEvent): Promise<EnqueueResult> {
    // Serialised here, so an event that cannot be written fails alone, never its whole group.
    const row: QueuedEnqueue['row'] = {
      vendor: e.vendor,
      connectionId: e.connectionId,
      entityKey: e.entityKey,
      dedupeKey: e.dedupeKey,
      since: e.dedupeWindowMs === null ? Number.MIN_SAFE_INTEGER : ms(e.receivedAt) - e.dedupeWindowMs,
      eventType: e.eventType,
      source: e.source,
      payload: e.payloadText ?? JSON.stringify(e.payload),
      headers: JSON.stringify(e.headers),
      receivedAt: ms(e.receivedAt),
    };
    // Inside a caller's group (the store thread's batch), the caller's commit is the one that counts.
    if (this.db.inTransaction) return this.db.transaction(() => this.insertOne(row))();
    return new Promise<EnqueueResult>((resolve, reject) => {
      this.queuedEnqueues.push({ row, resolve, reject });
      if (this.queuedEnqueues.length === 1) defer(() => this.flushEnqueues());
    });
  }

  /**
   * Runs `work` (calls of this store's methods) in one write transaction: one commit, one fsync
   * for all of them. Every method body here is synchronous, so all of their statements run
   * inside it; each method keeps its own atomicity as a savepoint. Throws when the commit fails,
   * and then none of the calls took effect.
   */
  group<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  private flushEnqueues(): void {
    const group = this.queuedEnqueues.splice(0);
    if (group.length === 0) return;
    let results: EnqueueResult[];
    try {
      results = this.db.transaction(() => group.map((item) => this.insertOne(item.row))).immediate();
    } catch {
      // Something in the group could not be written: each on its own, so only that one fails.
      for (const item of group) {
        try {
          item.resolve(this.db.transaction(() => this.insertOne(item.row)).immediate());
        } catch (err) {
          item.reject(err);
        }
      }
      return;
    }
    group.forEach((item, i) => item.resolve(results[i] as EnqueueResult));
  }

  private insertOne(r: QueuedEnqueue['row']): EnqueueResult {
    const existing = this.sql(
      'SELECT id FROM inbox_events WHERE vendor = ? AND connection_id = ? AND dedupe_key = ? AND received_at >= ? ORDER BY id DESC LIMIT 1',
    ).get(r.vendor, r.connectionId, r.dedupeKey, r.since) as Row | undefined;
    if (existing) return { eventId: Number(existing.id), duplicate: true };
    const result = this.sql(
      `INSERT INTO inbox_events (vendor, connection_id, entity_key, dedupe_key, event_type, source, payload, headers, received_at, next_attempt_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(r.vendor, r.connectionId, r.entityKey, r.dedupeKey, r.eventType, r.source, r.payload, r.headers, r.receivedAt, r.receivedAt);
    const id = Number(result.lastInsertRowid);
    // A newer event never changes an existing head: only an entity without one gets this event as its head.
    this.sql(
      `INSERT INTO inbox_entities (vendor, connection_id, entity_key, head_id, ready_at, backfill) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING`,
    ).run(r.vendor, r.connectionId, r.entityKey, id, r.receivedAt, r.source === 'backfill' ? 1 : 0);
    return { eventId: id, duplicate: false };
  }

  /**
   * Recomputes an entity's head after any change of its events' states: the oldest unfinished
   * event, runnable when due and when no other event of the entity is leased (a replayed dead
   * letter can be older than an event in progress). Two indexed lookups, whatever the backlog.
   */
  private refreshEntity(vendor: string, connectionId: string, entityKey: string): void {
    const head = this.sql(
      `SELECT id, status, next_attempt_at, locked_until, source FROM inbox_events
       WHERE vendor = ? AND connection_id = ? AND entity_key = ? AND status IN ('pending','processing') ORDER BY id LIMIT 1`,
    ).get(vendor, connectionId, entityKey) as Row | undefined;
    if (!head) {
      this.sql('DELETE FROM inbox_entities WHERE vendor = ? AND connection_id = ? AND entity_key = ?').run(vendor, connectionId, entityKey);
      return;
    }
    let readyAt: number;
    // A lease holds through its last millisecond.
    if (head.status === 'processing') readyAt = Number(head.locked_until ?? 0) + 1;
    else {
      const busy = this.sql(
        `SELECT MAX(locked_until) AS until FROM inbox_events WHERE vendor = ? AND connection_id = ? AND entity_key = ? AND status = 'processing'`,
      ).get(vendor, connectionId, entityKey) as Row;
      readyAt = Math.max(Number(head.next_attempt_at), busy.until === null ? 0 : Number(busy.until) + 1);
    }
    this.sql(
      `INSERT INTO inbox_entities (vendor, connection_id, entity_key, head_id, ready_at, backfill) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (vendor, connection_id, entity_key) DO UPDATE SET head_id = excluded.head_id, ready_at = excluded.ready_at, backfill = excluded.backfill`,
    ).run(vendor, connectionId, entityKey, head.id, readyAt, head.source === 'backfill' ? 1 : 0);
  }

  private refreshEntityOf(eventId: number): void {
    const row = this.sql('SELECT vendor, connection_id, entity_key FROM inbox_events WHERE id = ?').get(eventId) as Row | undefined;
    if (row) this.refreshEntity(str(row.vendor), str(row.connection_id), str(row.entity_key));
  }

  async claimNext(workerId: string, now: Date, leaseMs: number): Promise<InboxEvent | null> {
    const t = ms(now);
    const claim = this.db.transaction((): InboxEvent | null => {
      // Live events (webhook, poll, replay) before backfill; within each, the earliest due.
      // A head is runnable when pending and due, or processing under an expired lease (its worker died).
      const pick = (backfill: number) =>
        this.sql(
          `SELECT e.* FROM inbox_entities q JOIN inbox_events e ON e.id = q.head_id
           WHERE q.backfill = ? AND q.ready_at <= ? ORDER BY q.ready_at, q.head_id LIMIT 1`,
        ).get(backfill, t) as Row | undefined;
      const row = pick(0) ?? pick(1);
      if (!row) return null;
      const until = t + leaseMs;
      this.sql(`UPDATE inbox_events SET status = 'processing', locked_by = ?, locked_until = ?, attempts = attempts + 1 WHERE id = ?`).run(
        workerId,
        until,
        row.id,
      );
      this.sql('UPDATE inbox_entities SET ready_at = ? WHERE vendor = ? AND connection_id = ? AND entity_key = ?').run(
        until + 1,
        row.vendor,
        row.connection_id,
        row.entity_key,
      );
      return toEvent({ ...row, status: 'processing', locked_by: workerId, locked_until: until, attempts: Number(row.attempts) + 1 });
    });
    return claim.immediate();
  }

  async complete(eventId: number, workerId: string, now: Date, coveredBefore?: Date): Promise<number> {
    return this.db.transaction((): number => {
      const r = this.sql(
        `UPDATE inbox_events SET status = 'done', processed_at = ?, locked_by = NULL, locked_until = NULL, last_error = NULL
         WHERE id = ? AND status = 'processing' AND locked_by = ?`,
      ).run(ms(now), eventId, workerId);
      if (r.changes === 0) return 0;
      const merged = coveredBefore ? this.markCovered(eventId, coveredBefore, now) : 0;
      this.refreshEntityOf(eventId);
      return merged;
    }).immediate();
  }

  /** The entity's pending events (other than eventId) that arrived by `fetchedAfter`, marked done. */
  private markCovered(eventId: number, fetchedAfter: Date, now: Date): number {
    const at = this.sql('SELECT vendor, connection_id, entity_key FROM inbox_events WHERE id = ?').get(eventId) as Row | undefined;
    if (!at) return 0;
    // The status terms repeat the partial index's condition so SQLite walks unfinished events only.
    return this.sql(
      `UPDATE inbox_events SET status = 'done', processed_at = ?, last_error = NULL
       WHERE vendor = ? AND connection_id = ? AND entity_key = ? AND status IN ('pending','processing') AND status = 'pending'
         AND id <> ? AND received_at <= ?`,
    ).run(ms(now), at.vendor, at.connection_id, at.entity_key, eventId, ms(fetchedAfter)).changes;
  }

  async coalesce(eventId: number, fetchedAfter: Date, now: Date): Promise<number> {
    return this.db.transaction((): number => {
      const merged = this.markCovered(eventId, fetchedAfter, now);
      if (merged > 0) this.refreshEntityOf(eventId);
      return merged;
    }).immediate();
  }

  async fail(eventId: number, workerId: string, error: string, retryAt: Date, options: FailOptions = {}): Promise<void> {
    const keep = options.countAttempt === false ? 1 : 0;
    this.db.transaction(() => {
      const r = this.sql(
        `UPDATE inbox_events SET status = 'pending', next_attempt_at = ?, last_error = ?, locked_by = NULL, locked_until = NULL,
           attempts = MAX(attempts - ?, 0)
         WHERE id = ? AND status = 'processing' AND locked_by = ?`,
      ).run(ms(retryAt), error, keep, eventId, workerId);
      if (r.changes > 0) this.refreshEntityOf(eventId);
    }).immediate();
  }

  async deadLetter(eventId: number, workerId: string, error: string, now: Date): Promise<void> {
    this.db.transaction(() => {
      const moved = this.sql(
        `UPDATE inbox_events SET status = 'dead', last_error = ?, processed_at = ?, locked_by = NULL, locked_until = NULL
         WHERE id = ? AND status = 'processing' AND locked_by = ?`,
      ).run(error, ms(now), eventId, workerId);
      if (moved.changes !== 1) return;
      // One dead letter per event: a replayed event that dies again updates its own.
      const letter = this.sql(
        `INSERT INTO dead_letters (event_id, vendor, connection_id, entity_key, event_type, attempts, error, dead_at)
         SELECT id, vendor, connection_id, entity_key, event_type, attempts, ?, ? FROM inbox_events WHERE id = ?
         ON CONFLICT (event_id) DO UPDATE SET attempts = excluded.attempts, error = excluded.error, dead_at = excluded.dead_at,
           replayed_at = NULL, discarded_at = NULL, discarded_by = NULL, discard_reason = NULL, deaths = dead_letters.deaths + 1
         RETURNING id, attempts`,
      ).get(error, ms(now), eventId) as Row;
      this.sql(`INSERT INTO dead_letter_history (dead_letter_id, at, action, attempts, error, actor) VALUES (?, ?, 'dead', ?, ?, ?)`).run(
        letter.id,
        ms(now),
        letter.attempts,
        error,
        workerId,
      );
      this.refreshEntityOf(eventId);
    }).immediate();
  }

  async requeueInterrupted(now: Date): Promise<number> {
    // One worker process owns an SQLite file, so at its start every `processing` row is an orphan.
    return this.db.transaction((): number => {
      const orphans = this.sql(`SELECT id, vendor, connection_id, entity_key FROM inbox_events WHERE status = 'processing'`).all() as Row[];
      if (orphans.length === 0) return 0;
      this.sql(`UPDATE inbox_events SET status = 'pending', locked_by = NULL, locked_until = NULL, next_attempt_at = ? WHERE status = 'processing'`).run(ms(now));
      const entities = new Map(orphans.map((o) => [`${str(o.vendor)}\u0000${str(o.connection_id)}\u0000${str(o.entity_key)}`, o]));
      for (const o of entities.values()) this.refreshEntity(str(o.vendor), str(o.connection_id), str(o.entity_key));
      return orphans.length;
    }).immediate();
  }

  async getEvent(eventId: number): Promise<InboxEvent | null> {
    const row = this.sql('SELECT * FROM inbox_events WHERE id = ?').get(eventId) as Row | undefined;
    return row ? toEvent(row) : null;
  }

  async listEvents(filter: { entityKey?: string; vendor?: Vendor; connectionId?: string; status?: InboxStatus; limit?: number }): Promise<InboxEvent[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.vendor) (where.push('vendor = ?'), params.push(filter.vendor));
    if (filter.connectionId) (where.push('connection_id = ?'), params.push(filter.connectionId));
    if (filter.entityKey) (where.push('entity_key = ?'), params.push(filter.entityKey));
    if (filter.status) (where.push('status = ?'), params.push(filter.status));
    const sql = `SELECT * FROM inbox_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ?`;
    return (this.sql(sql).all(...params, filter.limit ?? 1000) as Row[]).map(toEvent);
  }

  async inboxCounts(): Promise<InboxCounts> {
    const counts: InboxCounts = { pending: 0, processing: 0, done: 0, dead: 0 };
    // Indexes only, never the rows with their payloads: the partial indexes of unfinished,
    // processing and dead events, and the narrowest index for the total.
    const count = (where: string) => Number((this.sql(`SELECT COUNT(*) AS n FROM inbox_events${where}`).get() as Row).n);
    const unfinished = count(` WHERE status IN ('pending','processing')`);
    counts.processing = count(` WHERE status = 'processing'`);
    counts.pending = unfinished - counts.processing;
    counts.dead = count(` WHERE status = 'dead'`);
    const total = count('');
    counts.done = total - counts.pending - counts.processing - counts.dead;
    return counts;
  }

  private deadLetterWhere(filter: DeadLetterFilter = {}): { sql: string; params: unknown[] } {
    const where: string[] = [];
    const params: unknown[] = [];
    if (!filter.includeReplayed) where.push('replayed_at IS NULL');
    if (!filter.includeDiscarded) where.push('discarded_at IS NULL');
    if (filter.vendor) (where.push('vendor = ?'), params.push(filter.vendor));
    if (filter.connectionId) (where.push('connection_id = ?'), params.push(filter.connectionId));
    return { sql: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
  }

  async listDeadLetters(filter: DeadLetterFilter = {}): Promise<DeadLetter[]> {
    const { sql, params } = this.deadLetterWhere(filter);
    return (this.sql(`SELECT * FROM dead_letters ${sql} ORDER BY id`).all(...params) as Row[]).map(toDeadLetter);
  }

  async getDeadLetter(id: number): Promise<DeadLetterWithHistory | null> {
    const row = this.sql('SELECT * FROM dead_letters WHERE id = ?').get(id) as Row | undefined;
    if (!row) return null;
    const history = this.sql('SELECT * FROM dead_letter_history WHERE dead_letter_id = ? ORDER BY at, id').all(id) as Row[];
    return { ...toDeadLetter(row), history: history.map(toDeadLetterHistory) };
  }

  async discardDeadLetter(id: number, reason: string, by: string, now: Date): Promise<DiscardOutcome> {
    return this.db.transaction((): DiscardOutcome => {
      const row = this.sql('SELECT replayed_at, discarded_at FROM dead_letters WHERE id = ?').get(id) as Row | undefined;
      if (!row) return 'not-found';
      if (row.discarded_at !== null) return 'already-discarded';
      if (row.replayed_at !== null) return 'not-dead';
      this.sql('UPDATE dead_letters SET discarded_at = ?, discarded_by = ?, discard_reason = ? WHERE id = ?').run(ms(now), by, reason, id);
      this.sql(`INSERT INTO dead_letter_history (dead_letter_id, at, action, actor, reason) VALUES (?, ?, 'discarded', ?, ?)`).run(id, ms(now), by, reason);
      return 'discarded';
    }).immediate();
  }

  async replayDeadLetters(selection: DeadLetterReplay, now: Date): Promise<number> {
    return this.db.transaction(() => {
      // Named ids: open or discarded (naming one brings it back); a filter: open ones only.
      const candidates = selection.ids
        ? ([...new Set(selection.ids)].map((id) => this.sql('SELECT * FROM dead_letters WHERE id = ? AND replayed_at IS NULL').get(id)).filter(Boolean) as Row[])
        : (() => {
            const { sql, params } = this.deadLetterWhere({ ...selection.filter, includeReplayed: false, includeDiscarded: false });
            return this.sql(`SELECT * FROM dead_letters ${sql} ORDER BY id`).all(...params) as Row[];
          })();
      for (const dl of candidates) {
        this.sql('UPDATE dead_letters SET replayed_at = ?, discarded_at = NULL, discarded_by = NULL, discard_reason = NULL WHERE id = ?').run(ms(now), dl.id);
        this.sql(`INSERT INTO dead_letter_history (dead_letter_id, at, action, actor) VALUES (?, ?, 'replayed', ?)`).run(dl.id, ms(now), selection.by ?? null);
        this.db
          .prepare(
            `UPDATE inbox_events SET status = 'pending', attempts = 0, next_attempt_at = ?, source = 'replay', processed_at = NULL
             WHERE id = ? AND status = 'dead'`,
          )
          .run(ms(now), dl.event_id);
        this.refreshEntityOf(Number(dl.event_id));
      }
      return candidates.length;
    }).immediate();
  }

  // ---- snapshots

  async getSnapshot(ref: EntityRef): Promise<EntitySnapshot | null> {
    const row = this.db
      .prepare('SELECT * FROM entity_snapshots WHERE vendor = ? AND connection_id = ? AND entity_id = ?')
      .get(ref.vendor, ref.connectionId, ref.id) as Row | undefined;
    return row ? toSnapshot(row) : null;
  }

  async saveSnapshot(s: EntitySnapshot): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO entity_snapshots (vendor, connection_id, entity_id, data, vendor_updated_at, saved_at, deleted)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (vendor, connection_id, entity_id) DO UPDATE SET
           data = excluded.data, vendor_updated_at = excluded.vendor_updated_at, saved_at = excluded.saved_at, deleted = excluded.deleted`,
      )
      .run(s.ref.vendor, s.ref.connectionId, s.ref.id, JSON.stringify(s.data), s.vendorUpdatedAt, ms(s.savedAt), s.deleted ? 1 : 0);
  }

  async recentTicketsOfRequester(vendor: Vendor, connectionId: string, requesterId: string, sinceIso: string) {
    const rows = this.db
      .prepare(
        `SELECT json_extract(data, '$.id') AS id, json_extract(data, '$.subject') AS subject,
                json_extract(data, '$.createdAt') AS created_at, json_extract(data, '$.url') AS url
         FROM entity_snapshots
         WHERE vendor = ? AND connection_id = ? AND deleted = 0
           AND json_extract(data, '$.requester.id') = ? AND json_extract(data, '$.createdAt') >= ?
         ORDER BY created_at DESC LIMIT 50`,
      )
      .all(vendor, connectionId, requesterId, sinceIso) as Row[];
    return rows.map((r) => ({ id: str(r.id), subject: str(r.subject ?? ''), createdAt: str(r.created_at), url: str(r.url ?? '') }));
  }

  async listTicketsAwayFromOwner(): Promise<EntityRef[]> {
    const rows = this.db
      .prepare(
        `SELECT o.vendor, o.connection_id, o.ticket_id FROM ticket_owners o
         JOIN entity_snapshots s ON s.vendor = o.vendor AND s.connection_id = o.connection_id AND s.entity_id = o.ticket_id
         WHERE s.deleted = 0
           AND json_extract(s.data, '$.status') NOT IN ('resolved', 'closed')
           AND COALESCE(json_extract(s.data, '$.assigneeId'), '') <> o.owner_id
         ORDER BY o.vendor, o.connection_id, o.ticket_id`,
      )
      .all() as Row[];
    return rows.map((r) => refOf(r));
  }

  // ---- links

  async getLinkByTicket(t: EntityRef): Promise<TicketLink | null> {
    const row = this.db
      .prepare('SELECT * FROM ticket_links WHERE vendor = ? AND connection_id = ? AND ticket_id = ?')
      .get(t.vendor, t.connectionId, t.id) as Row | undefined;
    return row ? toLink(row) : null;
  }

  async getLinkByIssue(jiraConnectionId: string, issueId: string): Promise<TicketLink | null> {
    const row = this.db
      .prepare('SELECT * FROM ticket_links WHERE jira_connection_id = ? AND issue_id = ?')
      .get(jiraConnectionId, issueId) as Row | undefined;
    return row ? toLink(row) : null;
  }

  async reserveLink(t: EntityRef, jiraConnectionId: string, now: Date): Promise<boolean> {
    const r = this.db
      .prepare(
        `INSERT INTO ticket_links (vendor, connection_id, ticket_id, jira_connection_id, state, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'creating', ?, ?) ON CONFLICT DO NOTHING`,
      )
      .run(t.vendor, t.connectionId, t.id, jiraConnectionId, ms(now), ms(now));
    return r.changes === 1;
  }

  async completeLink(t: EntityRef, link: { issueId: string; issueKey: string; kind: string; missing: string[] }, now: Date): Promise<void> {
    this.db
      .prepare(
        `UPDATE ticket_links SET issue_id = ?, issue_key = ?, kind = ?, missing_sections = ?, state = 'linked', updated_at = ?
         WHERE vendor = ? AND connection_id = ? AND ticket_id = ?`,
      )
      .run(link.issueId, link.issueKey, link.kind, JSON.stringify(link.missing), ms(now), t.vendor, t.connectionId, t.id);
  }

  async setLinkMissing(t: EntityRef, missing: string[], now: Date): Promise<void> {
    this.db
      .prepare('UPDATE ticket_links SET missing_sections = ?, updated_at = ? WHERE vendor = ? AND connection_id = ? AND ticket_id = ?')
      .run(JSON.stringify(missing), ms(now), t.vendor, t.connectionId, t.id);
  }

  async releaseLink(t: EntityRef): Promise<void> {
    this.db
      .prepare(`DELETE FROM ticket_links WHERE vendor = ? AND connection_id = ? AND ticket_id = ? AND state = 'creating'`)
      .run(t.vendor, t.connectionId, t.id);
  }

  async listLinks(filter: { vendor?: Vendor; connectionId?: string } = {}): Promise<TicketLink[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.vendor) (where.push('vendor = ?'), params.push(filter.vendor));
    if (filter.connectionId) (where.push('connection_id = ?'), params.push(filter.connectionId));
    const sql = `SELECT * FROM ticket_links ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at`;
    return (this.sql(sql).all(...params) as Row[]).map(toLink);
  }

  // ---- owners and trail

  async getOwner(t: EntityRef): Promise<TicketOwner | null> {
    const row = this.db
      .prepare('SELECT * FROM ticket_owners WHERE vendor = ? AND connection_id = ? AND ticket_id = ?')
      .get(t.vendor, t.connectionId, t.id) as Row | undefined;
    return row ? toOwner(row) : null;
  }

  async setOwner(o: TicketOwner): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO ticket_owners (vendor, connection_id, ticket_id, owner_id, owner_group_id, since, claimed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (vendor, connection_id, ticket_id) DO UPDATE SET
           owner_id = excluded.owner_id, owner_group_id = excluded.owner_group_id, since = excluded.since, claimed_at = excluded.claimed_at`,
      )
      .run(o.ticket.vendor, o.ticket.connectionId, o.ticket.id, o.ownerId, o.ownerGroupId, ms(o.since), o.claimedAt ? ms(o.claimedAt) : null);
  }

  async appendHandoff(h: Handoff): Promise<number> {
    const r = this.db
      .prepare(
        `INSERT INTO handoffs (vendor, connection_id, ticket_id, at, actor_id, direction, from_group_id, to_group_id, from_assignee_id, to_assignee_id, comment_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(h.ticket.vendor, h.ticket.connectionId, h.ticket.id, ms(h.at), h.actorId, h.direction, h.fromGroupId, h.toGroupId, h.fromAssigneeId, h.toAssigneeId, h.commentId);
    return Number(r.lastInsertRowid);
  }

  async listHandoffs(t: EntityRef): Promise<Handoff[]> {
    const rows = this.db
      .prepare('SELECT * FROM handoffs WHERE vendor = ? AND connection_id = ? AND ticket_id = ? ORDER BY at, id')
      .all(t.vendor, t.connectionId, t.id) as Row[];
    return rows.map(toHandoff);
  }

  // ---- audit trail

  async recordDecision(d: Decision): Promise<number> {
    const r = this.db
      .prepare(
        `INSERT INTO decisions (vendor, connection_id, ticket_id, rule_id, verdict, actor_id, at, summary, actions, event_id, decision_key)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      )
      .run(d.ticket.vendor, d.ticket.connectionId, d.ticket.id, d.ruleId, d.verdict, d.actorId, ms(d.at), d.summary, JSON.stringify(d.actions), d.eventId, d.key ?? null);
    if (r.changes === 1) return Number(r.lastInsertRowid);
    const row = this.sql('SELECT id FROM decisions WHERE decision_key = ?').get(d.key ?? null) as Row | undefined;
    return row ? Number(row.id) : 0;
  }

  async listDecisions(filter: { ticket?: EntityRef; ruleId?: string; limit?: number }): Promise<Decision[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.ticket) {
      where.push('vendor = ? AND connection_id = ? AND ticket_id = ?');
      params.push(filter.ticket.vendor, filter.ticket.connectionId, filter.ticket.id);
    }
    if (filter.ruleId) (where.push('rule_id = ?'), params.push(filter.ruleId));
    const sql = `SELECT * FROM decisions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at, id LIMIT ?`;
    return (this.sql(sql).all(...params, filter.limit ?? 10_000) as Row[]).map(toDecision);
  }

  // ---- executor

  async getExecutedAction(key: string): Promise<ExecutedAction | null> {
    const row = this.sql('SELECT * FROM executed_actions WHERE idempotency_key = ?').get(key) as Row | undefined;
    return row ? toExecuted(row) : null;
  }

  async recordExecutedAction(a: ExecutedAction): Promise<boolean> {
    const r = this.db
      .prepare(
        `INSERT INTO executed_actions (idempotency_key, vendor, connection_id, ticket_id, kind, result, at, rule_id, target_vendor, target_connection_id, target_id, result_id, state)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      )
      .run(
        a.idempotencyKey,
        a.ticket?.vendor ?? null,
        a.ticket?.connectionId ?? null,
        a.ticket?.id ?? null,
        a.kind,
        JSON.stringify(a.result ?? null),
        ms(a.at),
        a.ruleId ?? null,
        a.target?.vendor ?? null,
        a.target?.connectionId ?? null,
        a.target?.id ?? null,
        a.resultId ?? null,
        a.state ?? 'done',
      );
    return r.changes === 1;
  }

  async finishExecutedAction(key: string, done: { resultId: string | null; result: unknown; at: Date }): Promise<void> {
    this.db
      .prepare(`UPDATE executed_actions SET state = 'done', result_id = ?, result = ?, at = ? WHERE idempotency_key = ?`)
      .run(done.resultId, JSON.stringify(done.result ?? null), ms(done.at), key);
  }

  async forgetExecutedAction(key: string): Promise<void> {
    this.sql(`DELETE FROM executed_actions WHERE idempotency_key = ? AND state = 'started'`).run(key);
  }

  async findWriteByResult(vendor: Vendor, connectionId: string, resultId: string): Promise<ExecutedAction | null> {
    const row = this.db
      .prepare('SELECT * FROM executed_actions WHERE target_vendor = ? AND target_connection_id = ? AND result_id = ? LIMIT 1')
      .get(vendor, connectionId, resultId) as Row | undefined;
    return row ? toExecuted(row) : null;
  }

  async listExecutedActions(filter: LedgerFilter): Promise<ExecutedAction[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.ticket) {
      where.push('vendor = ? AND connection_id = ? AND ticket_id = ?');
      params.push(filter.ticket.vendor, filter.ticket.connectionId, filter.ticket.id);
    }
    if (filter.target) {
      where.push('target_vendor = ? AND target_connection_id = ? AND target_id = ?');
      params.push(filter.target.vendor, filter.target.connectionId, filter.target.id);
    }
    if (filter.keyPrefix) {
      // substr, not LIKE: keys hold _ and %, which LIKE would read as wildcards.
      where.push('substr(idempotency_key, 1, ?) = ?');
      params.push(filter.keyPrefix.length, filter.keyPrefix);
    }
    if (filter.since) {
      where.push('at >= ?');
      params.push(ms(filter.since));
    }
    const sql = `SELECT * FROM executed_actions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at, idempotency_key LIMIT ?`;
    return (this.sql(sql).all(...params, filter.limit ?? 100_000) as Row[]).map(toExecuted);
  }

  // ---- scheduled jobs

  async acquireLock(name: string, holder: string, now: Date, ttlMs: number): Promise<boolean> {
    const t = ms(now);
    const r = this.db
      .prepare(
        `INSERT INTO job_locks (name, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
         WHERE job_locks.expires_at < ? OR job_locks.holder = excluded.holder`,
      )
      .run(name, holder, t, t + ttlMs, t);
    return r.changes === 1;
  }

  async releaseLock(name: string, holder: string): Promise<void> {
    this.sql('DELETE FROM job_locks WHERE name = ? AND holder = ?').run(name, holder);
  }

  async startJobRun(job: string, holder: string, now: Date): Promise<number> {
    const r = this.sql(`INSERT INTO job_runs (job, holder, started_at) VALUES (?, ?, ?)`).run(job, holder, ms(now));
    return Number(r.lastInsertRowid);
  }

  async finishJobRun(id: number, end: { outcome: JobRun['outcome']; summary: Record<string, number>; error: string | null }, now: Date): Promise<void> {
    this.db
      .prepare('UPDATE job_runs SET finished_at = ?, outcome = ?, summary = ?, error = ? WHERE id = ?')
      .run(ms(now), end.outcome, JSON.stringify(end.summary), end.error, id);
  }

  async lastJobRuns(): Promise<JobRun[]> {
    const rows = this.sql('SELECT * FROM job_runs WHERE id IN (SELECT MAX(id) FROM job_runs GROUP BY job) ORDER BY job').all() as Row[];
    return rows.map((row) => ({
      id: Number(row.id),
      job: str(row.job),
      holder: str(row.holder),
      startedAt: date(row.started_at),
      finishedAt: dateOrNull(row.finished_at),
      outcome: row.outcome as JobRun['outcome'],
      summary: JSON.parse(str(row.summary)) as Record<string, number>,
      error: strOrNull(row.error),
    }));
  }

  async countPending(source: EventSource): Promise<number> {
    const row = this.sql(`SELECT COUNT(*) AS n FROM inbox_events WHERE status = 'pending' AND source = ?`).get(source) as Row;
    return Number(row.n);
  }

  // ---- cursors

  async getCursor(name: string): Promise<string | null> {
    const row = this.sql('SELECT value FROM sync_cursors WHERE name = ?').get(name) as Row | undefined;
    return row ? str(row.value) : null;
  }

  async setCursor(name: string, value: string, now: Date): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO sync_cursors (name, value, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      )
      .run(name, value, ms(now));
  }

  async listCursors(): Promise<CursorRow[]> {
    return (this.sql('SELECT * FROM sync_cursors ORDER BY name').all() as Row[]).map((r) => ({ name: str(r.name), value: str(r.value), updatedAt: date(r.updated_at) }));
  }

  async saveCircuit(record: CircuitRecord): Promise<void> {
    this.sql(
      `INSERT INTO connection_circuits (vendor, connection_id, holder, state, reason, failures, opened_at, probe_at, last_error, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (vendor, connection_id, holder) DO UPDATE SET state = excluded.state, reason = excluded.reason, failures = excluded.failures,
           opened_at = excluded.opened_at, probe_at = excluded.probe_at, last_error = excluded.last_error, updated_at = excluded.updated_at`,
    ).run(...circuitValues(record));
  }

  async clearCircuit(vendor: Vendor, connectionId: string, holder: string): Promise<void> {
    this.sql('DELETE FROM connection_circuits WHERE vendor = ? AND connection_id = ? AND holder = ?').run(vendor, connectionId, holder);
  }

  async listCircuits(): Promise<CircuitRecord[]> {
    return (this.sql('SELECT * FROM connection_circuits ORDER BY vendor, connection_id, holder').all() as Row[]).map(toCircuit);
  }

  // ---- service levels (S1-S3)

  async getSla(t: EntityRef): Promise<SlaRecord | null> {
    const row = this.sql('SELECT * FROM sla_states WHERE vendor = ? AND connection_id = ? AND ticket_id = ?').get(t.vendor, t.connectionId, t.id) as Row | undefined;
    return row ? toSla(row) : null;
  }

  async saveSla(r: SlaRecord): Promise<void> {
    this.sql(
      `INSERT INTO sla_states (vendor, connection_id, ticket_id, state, open, next_check_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (vendor, connection_id, ticket_id) DO UPDATE SET
         state = excluded.state, open = excluded.open, next_check_at = excluded.next_check_at, updated_at = excluded.updated_at`,
    ).run(r.ticket.vendor, r.ticket.connectionId, r.ticket.id, JSON.stringify(r.state), r.open ? 1 : 0, r.nextCheckAt ? ms(r.nextCheckAt) : null, ms(r.updatedAt));
  }

  async listSlaDue(now: Date, limit: number): Promise<SlaRecord[]> {
    // Walks sla_states_due from its start: only due rows are read.
    const rows = this.sql(
      `SELECT * FROM sla_states WHERE next_check_at IS NOT NULL AND next_check_at <= ?
       ORDER BY next_check_at, vendor, connection_id, ticket_id LIMIT ?`,
    ).all(ms(now), limitOf(limit, 0)) as Row[];
    return rows.map(toSla);
  }

  /** Ticket ids are text and order as SQLite orders text (BINARY: byte by byte), so '10' < '9'. */
  async listSla(filter: SlaFilter = {}): Promise<SlaRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.vendor) (where.push('vendor = ?'), params.push(filter.vendor));
    if (filter.connectionId) (where.push('connection_id = ?'), params.push(filter.connectionId));
    if (filter.openOnly) where.push('open = 1');
    if (filter.after) {
      const keyset = keysetAfter(filter.after, filter, ['vendor', 'connection_id', 'ticket_id']);
      if (!keyset) return [];
      if (keyset.sql) (where.push(keyset.sql), params.push(...keyset.params));
    }
    const sql = `SELECT * FROM sla_states ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY vendor, connection_id, ticket_id LIMIT ?`;
    return (this.sql(sql).all(...params, limitOf(filter.limit, SLA_PAGE)) as Row[]).map(toSla);
  }

  /**
   * Live helpdesk snapshots without an SLA record, in (vendor, connection, ticket id) order,
   * text compared byte by byte. One walk of the partial index of live snapshots per helpdesk
   * vendor, from `after`: `vendor = ? AND (connection_id, entity_id) > (?, ?)` is a range of that
   * index (a row value over all three columns behind `vendor IN (...)` is not: SQLite would scan
   * the vendor from its start). Each snapshot is probed in sla_states' primary key (an anti-join);
   * no snapshot data is read.
   */
  async listTicketsWithoutSla(limit: number, after?: EntityRef): Promise<EntityRef[]> {
    const wanted = limitOf(limit, 0);
    const found: EntityRef[] = [];
    const anti = 'NOT EXISTS (SELECT 1 FROM sla_states a WHERE a.vendor = s.vendor AND a.connection_id = s.connection_id AND a.ticket_id = s.entity_id)';
    for (const vendor of HELPDESK_VENDORS) {
      if (found.length >= wanted) break;
      if (after && vendor < after.vendor) continue;
      const from = after && vendor === after.vendor ? [after.connectionId, after.id] : null;
      const rows = this.sql(
        `SELECT s.vendor, s.connection_id, s.entity_id FROM entity_snapshots s
         WHERE s.deleted = 0 AND s.vendor = ?${from ? ' AND (s.connection_id, s.entity_id) > (?, ?)' : ''} AND ${anti}
         ORDER BY s.connection_id, s.entity_id LIMIT ?`,
      ).all(vendor, ...(from ?? []), wanted - found.length) as Row[];
      for (const r of rows) found.push(refOf(r, 'entity_id'));
    }
    return found;
  }

  // ---- the audit (A1)

  /**
   * One page of linked pairs in (vendor, connection, ticket id) order, text byte by byte (a
   * walk of ticket_links' primary key from `after`, as listSla walks sla_states'), then their
   * facts in one query per kind of fact for the whole page: the page's keys go in as one JSON
   * array, and json_each drives a lookup per key in each table's index (CROSS JOIN keeps it the
   * outer loop), so no table is scanned, whatever its size.
   */
  async listAuditPairs(filter: AuditPairFilter): Promise<AuditFacts[]> {
    const limit = limitOf(filter.limit, 0);
    if (limit === 0) return [];
    const where: string[] = ["l.state IN ('creating','linked')"];
    const params: unknown[] = [];
    if (filter.vendor) (where.push('l.vendor = ?'), params.push(filter.vendor));
    if (filter.connectionId) (where.push('l.connection_id = ?'), params.push(filter.connectionId));
    if (filter.after) {
      const keyset = keysetAfter(filter.after, filter, ['l.vendor', 'l.connection_id', 'l.ticket_id']);
      if (!keyset) return [];
      if (keyset.sql) (where.push(keyset.sql), params.push(...keyset.params));
    }
    if (filter.linkedFrom) (where.push('l.created_at >= ?'), params.push(ms(filter.linkedFrom)));
    if (filter.linkedTo) (where.push('l.created_at < ?'), params.push(ms(filter.linkedTo)));
    if (filter.ruleId) {
      where.push(
        `EXISTS (SELECT 1 FROM decisions d WHERE d.vendor = l.vendor AND d.connection_id = l.connection_id AND d.ticket_id = l.ticket_id
                 AND d.verdict IN ${FLAGGED} AND d.rule_id = ?)`,
      );
      params.push(filter.ruleId);
    }
    const links = (
      this.sql(`SELECT l.* FROM ticket_links l WHERE ${where.join(' AND ')} ORDER BY l.vendor, l.connection_id, l.ticket_id LIMIT ?`).all(...params, limit) as Row[]
    ).map(toLink);
    if (links.length === 0) return [];

    const ticketKeys = links.map((l) => [l.ticket.vendor, l.ticket.connectionId, l.ticket.id]);
    const issueKeys = links.flatMap((l) => (l.issueId === null ? [] : [['jira', l.jiraConnectionId, l.issueId]]));
    const tickets = JSON.stringify(ticketKeys);
    /** `from`: the table, its alias and any index hint; the keys are the statement's one parameter. */
    const byTicket = (from: string, alias: string, idColumn = 'ticket_id') =>
      `FROM json_each(?) k CROSS JOIN ${from}
       WHERE ${alias}.vendor = k.value ->> 0 AND ${alias}.connection_id = k.value ->> 1 AND ${alias}.${idColumn} = k.value ->> 2`;

    const snapshots = new Map<string, EntitySnapshot>();
    for (const row of this.sql(`SELECT s.* ${byTicket('entity_snapshots s', 's', 'entity_id')}`).all(JSON.stringify([...ticketKeys, ...issueKeys])) as Row[]) {
      const snapshot = toSnapshot(row);
      snapshots.set(refKey(snapshot.ref.vendor, snapshot.ref.connectionId, snapshot.ref.id), snapshot);
    }
    const owners = new Map<string, TicketOwner>();
    for (const row of this.sql(`SELECT o.* ${byTicket('ticket_owners o', 'o')}`).all(tickets) as Row[]) {
      owners.set(refKey(str(row.vendor), str(row.connection_id), str(row.ticket_id)), toOwner(row));
    }
    const slas = new Map<string, SlaRecord>();
    for (const row of this.sql(`SELECT a.* ${byTicket('sla_states a', 'a')}`).all(tickets) as Row[]) {
      slas.set(refKey(str(row.vendor), str(row.connection_id), str(row.ticket_id)), toSla(row));
    }
    const handoffs = new Map<string, Handoff[]>();
    for (const row of this.sql(`SELECT h.* ${byTicket('handoffs h', 'h')} ORDER BY h.at, h.id`).all(tickets) as Row[]) {
      const k = refKey(str(row.vendor), str(row.connection_id), str(row.ticket_id));
      const trail = handoffs.get(k) ?? [];
      trail.push(toHandoff(row));
      handoffs.set(k, trail);
    }
    const decisions = new Map<string, Decision[]>();
    // INDEXED BY: without statistics (the store keeps none) SQLite rates decisions_ticket as
    // good, and would read every decision of each ticket, oks included, to keep a few.
    for (const row of this.sql(`SELECT d.* ${byTicket('decisions d INDEXED BY decisions_audit', 'd')} AND ${AUDIT_DECISION} ORDER BY d.at, d.id`).all(tickets) as Row[]) {
      const k = refKey(str(row.vendor), str(row.connection_id), str(row.ticket_id));
      const list = decisions.get(k) ?? [];
      list.push(toDecision(row));
      decisions.set(k, list);
    }

    return links.map((link) => {
      const k = refKey(link.ticket.vendor, link.ticket.connectionId, link.ticket.id);
      return {
        link,
        ticket: snapshots.get(k) ?? null,
        issue: link.issueId === null ? null : (snapshots.get(refKey('jira', link.jiraConnectionId, link.issueId)) ?? null),
        owner: owners.get(k) ?? null,
        sla: slas.get(k) ?? null,
        handoffs: handoffs.get(k) ?? [],
        decisions: decisions.get(k) ?? [],
      };
    });
  }

  /**
   * Newest first: a walk down decisions_flagged (or decisions_flagged_rule with a rule) from
   * `beforeId`, or a range of decisions_flagged_at. The unary + keeps SQLite off
   * decisions_ticket for a vendor or connection filter: that range holds every ok too.
   */
  async listViolations(filter: ViolationFilter): Promise<Decision[]> {
    const where: string[] = [`verdict IN ${FLAGGED}`];
    const params: unknown[] = [];
    if (filter.vendor) (where.push('+vendor = ?'), params.push(filter.vendor));
    if (filter.connectionId) (where.push('+connection_id = ?'), params.push(filter.connectionId));
    if (filter.ruleId) (where.push('rule_id = ?'), params.push(filter.ruleId));
    if (filter.from) (where.push('at >= ?'), params.push(ms(filter.from)));
    if (filter.to) (where.push('at < ?'), params.push(ms(filter.to)));
    if (filter.beforeId !== undefined) (where.push('id < ?'), params.push(filter.beforeId));
    const sql = `SELECT * FROM decisions WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`;
    return (this.sql(sql).all(...params, limitOf(filter.limit, 0)) as Row[]).map(toDecision);
  }

  /**
   * Three ranges of covering indexes (handoffs_direction, decisions_flagged_at,
   * ticket_links_created), counted per UTC day. The unary + keeps a vendor or connection filter
   * a filter inside those ranges, not a walk of the ticket indexes over all time.
   */
  async auditTimeline(filter: AuditTimelineFilter): Promise<AuditDay[]> {
    const part = (table: string, time: string, condition?: string) => {
      const where = [...(condition ? [condition] : []), `${time} >= ?`, `${time} < ?`];
      const params: unknown[] = [ms(filter.from), ms(filter.to)];
      if (filter.vendor) (where.push('+vendor = ?'), params.push(filter.vendor));
      if (filter.connectionId) (where.push('+connection_id = ?'), params.push(filter.connectionId));
      return { sql: `SELECT ${daySql(time)} AS day, COUNT(*) AS n FROM ${table} WHERE ${where.join(' AND ')} GROUP BY 1`, params };
    };
    const parts = {
      escalations: part('handoffs', 'at', "direction = 'escalate'"),
      violations: part('decisions', 'at', `verdict IN ${FLAGGED}`),
      raised: part('ticket_links', 'created_at'),
    };
    const days = new Map<number, AuditDay>();
    for (const [name, { sql, params }] of Object.entries(parts) as Array<[keyof typeof parts, { sql: string; params: unknown[] }]>) {
      for (const row of this.sql(sql).all(...params) as Row[]) {
        const n = Number(row.n);
        if (n === 0) continue;
        const day = Number(row.day);
        const entry = days.get(day) ?? { day: dayOf(day), escalations: 0, violations: 0, raised: 0 };
        entry[name] = n;
        days.set(day, entry);
      }
    }
    return [...days.entries()].sort((a, b) => a[0] - b[0]).map(([, entry]) => entry);
  }
}
