import { Pool, type PoolClient, type PoolConfig } from 'pg';
import type { SlaState } from '../../domain/sla';
import type { EntityRef, Vendor } from '../../domain/ticket';
import type {
  AuditDay,
  AuditFacts,
  AuditPairFilter,
  AuditTimelineFilter,
  CursorRow,
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
  EventSource,
  ExecutedAction,
  Handoff,
  InboxCounts,
  InboxEvent,
  InboxStatus,
  JobRun,
  LedgerFilter,
  NewInboxEvent,
  Store,
  StoreHealth,
  TicketLink,
  SlaFilter,
  SlaRecord,
  TicketOwner,
  ViolationFilter,
} from '../types';
import {
  circuitValues,
  date,
  dateOrNull,
  dayOf,
  daySql,
  ms,
  parsed,
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
import { PG_MIGRATIONS, PG_SCHEMA_VERSION } from './migrations';

/** A pool or a client inside a transaction: both answer query(). */
type Queryable = Pick<PoolClient, 'query'>;

/**
 * What pg-boss's `send(..., { db })` needs: statements on the store's own transaction, so a job
 * commits (or rolls back) with the inbox row it is about.
 */
export interface PgJobDb {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** The inbox event a job is about (what a job engine needs to address it). */
export interface InboxJobRef {
  id: number;
  vendor: Vendor;
  connectionId: string;
  entityKey: string;
  source: EventSource;
}

/**
 * Called inside the store's transactions, on the same connection (PostgreSQL only): a job engine
 * (pg-boss) sends its jobs there, so the inbox and the job queue never disagree. A hook that
 * throws rolls the whole change back.
 */
export interface PgInboxHooks {
  /** New events (never redeliveries: the inbox keeps the dedupe) were inserted, in this order. */
  enqueued?(db: PgJobDb, events: InboxJobRef[]): Promise<void>;
  /** An event moved to the dead letters. */
  deadLettered?(db: PgJobDb, event: InboxJobRef & { deadLetterId: number; attempts: number; error: string }): Promise<void>;
  /** Dead letters were put back to pending. */
  replayed?(db: PgJobDb, events: InboxJobRef[]): Promise<void>;
  /** A dead letter was discarded: its event stays dead, and is not to be replayed. */
  discarded?(db: PgJobDb, event: InboxJobRef & { deadLetterId: number }): Promise<void>;
}

const jobDbOf = (c: Queryable): PgJobDb => ({
  executeSql: async (text, values) => ({ rows: (await c.query(text, values as unknown[] | undefined)).rows as unknown[] }),
});

function toJobRef(row: Row): InboxJobRef {
  return { id: Number(row.id), vendor: row.vendor as Vendor, connectionId: str(row.connection_id), entityKey: str(row.entity_key), source: row.source as EventSource };
}

export interface PgStoreOptions {
  /** Every pooled connection uses this schema (created if missing); default: the server's search_path. */
  schema?: string;
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /** How long a connection attempt may take before it fails (default 10 s). */
  connectionTimeoutMs?: number;
}

const json = (v: unknown) => JSON.stringify(v ?? null);
/** listSla's page when the filter names none. */
const SLA_PAGE = 1000;
/** A row count for LIMIT: a whole number, never negative (PostgreSQL refuses a negative LIMIT). */
const limitOf = (limit: number | undefined, fallback: number) => Math.max(0, Math.floor(limit ?? fallback));

function toSla(row: Row): SlaRecord {
  return {
    ticket: refOf(row),
    state: parsed(row.state) as SlaState,
    open: row.open === true,
    nextCheckAt: dateOrNull(row.next_check_at),
    updatedAt: date(row.updated_at),
  };
}
/** A snapshot row (deleted ones too: the flag says so). data is JSONB: it comes back parsed. */
function toSnapshot(row: Row): EntitySnapshot {
  return {
    ref: refOf(row, 'entity_id'),
    data: row.data,
    vendorUpdatedAt: strOrNull(row.vendor_updated_at),
    savedAt: date(row.saved_at),
    deleted: row.deleted === true,
  };
}

/** The verdicts the audit calls violations (a correction is a violation put right). */
const FLAGGED = "('violation','corrected')";
/** The decisions listAuditPairs returns: flagged ones of any rule, and E5's and M6's whatever their verdict (decisions_audit's predicate). */
const AUDIT_DECISION = "(d.verdict IN ('violation','corrected') OR d.rule_id IN ('E5','M6'))";
/** ticket_links' key in byte order: the columns of ticket_links_bytes (migration 9). */
const LINK_KEY_C = 'l.vendor COLLATE "C", l.connection_id COLLATE "C", l.ticket_id COLLATE "C"';

/** At most this many enqueues in one transaction. */
const MAX_ENQUEUE_GROUP = 500;
/** Enqueue groups written at once (each on a connection of the pool), entities spread over them. */
const ENQUEUE_LANES = 4;

interface QueuedPgEnqueue {
  e: NewInboxEvent;
  resolve: (r: EnqueueResult) => void;
  reject: (err: unknown) => void;
}

interface EnqueueLane {
  queued: QueuedPgEnqueue[];
  running: boolean;
}

/** A stable lane for an entity (FNV-1a of its key). */
function laneOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i += 1) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % ENQUEUE_LANES;
}

/** Serialises the migrations of every process starting on one database. */
const MIGRATION_LOCK = "hashtextextended('helpdesk-sync:migrations', 0)";

/** The advisory lock name of an entity: every change to its events and its head row holds it. */
function entityLockName(vendor: string, connectionId: string, entityKey: string): string {
  return `entity:${vendor}:${connectionId}:${entityKey}`;
}
/** entityLockName in SQL, over an inbox_events row. */
const ENTITY_LOCK_SQL = "'entity:' || vendor || ':' || connection_id || ':' || entity_key";






/** A SQL identifier, double-quoted. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * The pool's settings for a URL and a schema. The schema goes into the startup packet's
 * `options` (`-c search_path=...`), so every connection uses it from its first statement; the
 * server splits `options` at whitespace and reads a backslash as an escape, hence the escaping.
 * `options` already in the URL are kept (pg would let the URL's win over ours otherwise).
 */
export function pgPoolConfig(url: string, options: PgStoreOptions = {}): PoolConfig {
  let connectionString = url;
  const startupOptions: string[] = [];
  try {
    const parsedUrl = new URL(url);
    const fromUrl = parsedUrl.searchParams.get('options');
    if (fromUrl !== null) {
      startupOptions.push(fromUrl);
      parsedUrl.searchParams.delete('options');
      connectionString = parsedUrl.toString();
    }
  } catch {
    // Not a URL pg-connection-string can't read either: let pg report it.
  }
  if (options.schema !== undefined) {
    const escaped = quoteIdent(options.schema).replace(/\\/g, '\\\\').replace(/\s/g, (c) => `\\${c}`);
    startupOptions.push(`-c search_path=${escaped}`);
  }
  return {
    connectionString,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
    ...(startupOptions.length ? { options: startupOptions.join(' ') } : {}),
  };
}

/**
 * The store for several processes sharing one database. Same behaviour as SqliteStore; what
 * SQLite gets from its single writer, this gets from locks:
 * - enqueue holds an advisory lock on the delivery key while it checks and inserts;
 * - every change to an entity's events holds that entity's advisory lock and recomputes its
 *   row of inbox_entities (the head: lowest unfinished event, when it is ready, live or
 *   backfill) in the same transaction;
 * - claimNext takes the first ready head `FOR UPDATE SKIP LOCKED`, then the entity's advisory
 *   lock without waiting (a change in flight there: try the next head).
 * Lock order is always advisory lock(s) then rows, and claimNext never waits for an advisory
 * lock, so these cannot deadlock.
 */
/** The entity's pending events (other than eventId) that arrived by `fetchedAfter`, marked done. */
async function markCovered(c: PoolClient, eventId: number, fetchedAfter: Date, now: Date): Promise<number> {
  const r = await c.query(
    `UPDATE inbox_events SET status = 'done', processed_at = $1, last_error = NULL
     WHERE status = 'pending' AND id <> $2 AND received_at <= $3
       AND (vendor, connection_id, entity_key) = (SELECT vendor, connection_id, entity_key FROM inbox_events WHERE id = $2)`,
    [ms(now), eventId, ms(fetchedAfter)],
  );
  return r.rowCount ?? 0;
}

export class PgStore implements Store {
  readonly kind = 'postgres' as const;
  private readonly pool: Pool;
  private readonly schema: string | undefined;
  private ready: Promise<void>;
  private closed = false;
  private hooks: PgInboxHooks = {};
  private readonly enqueueLanes: EnqueueLane[] = Array.from({ length: ENQUEUE_LANES }, () => ({ queued: [], running: false }));

  constructor(
    private readonly url: string,
    options: PgStoreOptions = {},
  ) {
    this.schema = options.schema;
    this.pool = new Pool(pgPoolConfig(url, options));
    // An idle connection dropped by the server must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
    this.ready = this.migrate();
    // Awaited by every method; this only keeps an early failure from being an unhandled rejection.
    this.ready.catch(() => undefined);
  }

  /** Hooks run inside enqueue, deadLetter and replayDeadLetters transactions (the job engine's sends). */
  setInboxHooks(hooks: PgInboxHooks | null): void {
    this.hooks = hooks ?? {};
  }

  /** The enqueue part of setInboxHooks alone. */
  setEnqueueHook(hook: PgInboxHooks['enqueued'] | null): void {
    this.hooks = { ...this.hooks, enqueued: hook ?? undefined };
  }

  /** The connection string and schema the pool uses (a job engine on the same database connects alike). */
  get connection(): { url: string; schema: string | undefined } {
    return { url: this.url, schema: this.schema };
  }

  /** The schema at start; when it failed (database down), the next call tries again. */
  private async whenReady(): Promise<void> {
    try {
      await this.ready;
    } catch (err) {
      if (this.closed) throw err;
      const retry = this.migrate();
      this.ready = retry;
      retry.catch(() => undefined);
      await retry;
    }
  }

  private async migrate(): Promise<void> {
    await this.transaction(async (c) => {
      await c.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
      if (this.schema !== undefined) await c.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(this.schema)}`);
      await c.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
      const applied = new Set((await c.query<Row>('SELECT version FROM schema_migrations')).rows.map((r) => Number(r.version)));
      for (const m of PG_MIGRATIONS) {
        if (applied.has(m.version)) continue;
        await c.query(m.sql);
        await c.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, Date.now()]);
      }
    });
  }

  private async transaction<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // The pool listens for 'error' on idle clients only: a connection lost while checked out (a
    // database restart, a failover, pg_terminate_backend) would be an unhandled 'error' event,
    // which ends the process. The statement in flight rejects anyway; the client goes as broken.
    let lost: Error | undefined;
    const onError = (err: Error) => {
      lost = err;
    };
    client.on('error', onError);
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        broken = rollbackError as Error;
      }
      throw err;
    } finally {
      client.off('error', onError);
      client.release(broken ?? lost);
    }
  }

  /** A statement outside any transaction, once the schema is there. */
  private async query(sql: string, params: unknown[] = []): Promise<{ rows: Row[]; rowCount: number }> {
    await this.whenReady();
    const r = await this.pool.query<Row>(sql, params);
    return { rows: r.rows, rowCount: r.rowCount ?? 0 };
  }

  private async tx<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    await this.whenReady();
    return this.transaction(fn);
  }

  async health(): Promise<StoreHealth> {
    try {
      const { rows } = await this.query('SELECT MAX(version) AS v FROM schema_migrations');
      const version = Number(rows[0]?.v ?? 0);
      return { ok: version === PG_SCHEMA_VERSION, schemaVersion: version, expectedVersion: PG_SCHEMA_VERSION };
    } catch (err) {
      return { ok: false, schemaVersion: 0, expectedVersion: PG_SCHEMA_VERSION, error: (err as Error).message || String(err) };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.ready.catch(() => undefined);
    await this.pool.end();
  }

  // ---- entity heads

  /** Several entities' locks, always in one order (of their keys) so two such callers cannot deadlock. */
  private async lockEntities(c: Queryable, entities: Row[]): Promise<void> {
    const names = [...new Set(entities.map((e) => entityLockName(str(e.vendor), str(e.connection_id), str(e.entity_key))))];
    if (!names.length) return;
    const { rows } = await c.query<Row>('SELECT DISTINCT hashtextextended(n, 0)::text AS k FROM unnest($1::text[]) AS n', [names]);
    const keys = rows.map((r) => BigInt(str(r.k))).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const k of keys) await c.query('SELECT pg_advisory_xact_lock($1::bigint)', [k.toString()]);
  }

  /**
   * Recomputes the entity's row of inbox_entities from its events (caller holds its lock):
   * the head is its lowest unfinished event; it is ready once the head is due (pending) and
   * every lease on the entity has run out (SQLite's `locked_until < now`, hence the + 1 on
   * whole milliseconds). No unfinished event: no row.
   */
  private async refreshEntity(c: Queryable, vendor: string, connectionId: string, entityKey: string): Promise<void> {
    // One statement: the head (partial index of unfinished events), the entity's latest lease
    // (partial index of processing ones), then the row upserted, or deleted when there is no head.
    await c.query(
      `WITH head AS (
         SELECT id, status, next_attempt_at, source FROM inbox_events
         WHERE vendor = $1 AND connection_id = $2 AND entity_key = $3 AND status IN ('pending','processing')
         ORDER BY id LIMIT 1),
       lease AS (
         SELECT MAX(COALESCE(locked_until, 0)) + 1 AS until FROM inbox_events
         WHERE vendor = $1 AND connection_id = $2 AND entity_key = $3 AND status = 'processing'),
       gone AS (
         DELETE FROM inbox_entities WHERE vendor = $1 AND connection_id = $2 AND entity_key = $3 AND NOT EXISTS (SELECT 1 FROM head))
       INSERT INTO inbox_entities (vendor, connection_id, entity_key, head_id, ready_at, backfill)
       SELECT $1, $2, $3, head.id,
              GREATEST(CASE WHEN head.status = 'pending' THEN head.next_attempt_at END, lease.until),
              head.source = 'backfill'
       FROM head CROSS JOIN lease
       ON CONFLICT (vendor, connection_id, entity_key) DO UPDATE SET head_id = excluded.head_id, ready_at = excluded.ready_at, backfill = excluded.backfill`,
      [vendor, connectionId, entityKey],
    );
  }

  /** Locks the entity of one event and runs `change`, then refreshes the entity's head. */
  private async changeEvent<T>(eventId: number, change: (c: PoolClient) => Promise<T>): Promise<T | undefined> {
    return this.tx(async (c) => {
      // An event's entity never changes, so it can be read and locked in one statement.
      const ev = (
        await c.query<Row>(
          `SELECT vendor, connection_id, entity_key, pg_advisory_xact_lock(hashtextextended(${ENTITY_LOCK_SQL}, 0)) FROM inbox_events WHERE id = $1`,
          [eventId],
        )
      ).rows[0];
      if (!ev) return undefined;
      const [vendor, connectionId, entityKey] = [str(ev.vendor), str(ev.connection_id), str(ev.entity_key)];
      const result = await change(c);
      await this.refreshEntity(c, vendor, connectionId, entityKey);
      return result;
    });
  }

  // ---- inbox

  /**
   * Enqueues are grouped: those that arrive while a group is being written go together in the
   * next transaction (one commit, one WAL flush, the locks of all of them taken at once), so a
   * burst costs a few commits instead of one each. Entities are spread over ENQUEUE_LANES lanes
   * that write in parallel, one group at a time each: events of one ticket share a lane, so they
   * get their ids, and so their order, in the order they arrived. A group that fails is retried
   * one event at a time, so only the event that cannot be written fails.
   */
  async enqueue(e: NewInboxEvent): Promise<EnqueueResult> {
    const lane = this.enqueueLanes[laneOf(`${e.vendor}:${e.connectionId}:${e.entityKey}`)] as EnqueueLane;
    return new Promise<EnqueueResult>((resolve, reject) => {
      lane.queued.push({ e, resolve, reject });
      this.startEnqueueGroup(lane);
    });
  }

  private startEnqueueGroup(lane: EnqueueLane): void {
    if (lane.running || lane.queued.length === 0) return;
    lane.running = true;
    // One turn of the event loop first, so the webhooks that arrived together share the group.
    setImmediate(() => {
      void this.writeEnqueueGroup(lane.queued.splice(0, MAX_ENQUEUE_GROUP)).finally(() => {
        lane.running = false;
        this.startEnqueueGroup(lane);
      });
    });
  }

  private async writeEnqueueGroup(group: QueuedPgEnqueue[]): Promise<void> {
    try {
      const results = await this.tx(async (c) => {
        await this.lockForEnqueue(c, group.map((item) => item.e));
        const out: EnqueueResult[] = [];
        for (const item of group) out.push(await this.insertEvent(c, item.e));
        await this.announceEnqueued(c, group.map((item) => item.e), out);
        return out;
      });
      group.forEach((item, i) => item.resolve(results[i] as EnqueueResult));
    } catch {
      for (const item of group) {
        try {
          item.resolve(
            await this.tx(async (c) => {
              await this.lockForEnqueue(c, [item.e]);
              const result = await this.insertEvent(c, item.e);
              await this.announceEnqueued(c, [item.e], [result]);
              return result;
            }),
          );
        } catch (err) {
          item.reject(err);
        }
      }
    }
  }

  /**
   * The locks an enqueue holds to its commit: its delivery key's (two deliveries racing cannot
   * both get in) and its entity's (which every change to the entity's head holds). All of a
   * group's in one order, of their hashes, so two groups cannot deadlock.
   */
  private async lockForEnqueue(c: Queryable, events: NewInboxEvent[]): Promise<void> {
    const names = new Set<string>();
    for (const e of events) {
      names.add(`${e.vendor}:${e.connectionId}:${e.dedupeKey}`);
      names.add(entityLockName(e.vendor, e.connectionId, e.entityKey));
    }
    await c.query(
      `SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtextextended(n, 0) AS k FROM unnest($1::text[]) AS n ORDER BY 1) AS sorted`,
      [[...names]],
    );
  }

  private async insertEvent(c: Queryable, e: NewInboxEvent): Promise<EnqueueResult> {
    const since = e.dedupeWindowMs === null ? Number.MIN_SAFE_INTEGER : ms(e.receivedAt) - e.dedupeWindowMs;
    // A statement after the locks: it sees whatever the previous holder committed. A new event
    // never changes an existing head (it is younger, and not leased): only an entity without
    // one gets it as its head, ready when it is due.
    const { rows } = await c.query<Row>(
      `WITH existing AS (
         SELECT id FROM inbox_events WHERE vendor = $1 AND connection_id = $2 AND dedupe_key = $4 AND received_at >= $11
         ORDER BY id DESC LIMIT 1),
       inserted AS (
         INSERT INTO inbox_events (vendor, connection_id, entity_key, dedupe_key, dedupe_window_ms, event_type, source, payload, headers, received_at, next_attempt_at)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10 WHERE NOT EXISTS (SELECT 1 FROM existing)
         RETURNING id),
       head AS (
         INSERT INTO inbox_entities (vendor, connection_id, entity_key, head_id, ready_at, backfill)
         SELECT $1, $2, $3, id, $10, $7 = 'backfill' FROM inserted
         ON CONFLICT DO NOTHING)
       SELECT id, false AS duplicate FROM inserted UNION ALL SELECT id, true FROM existing`,
      [
        e.vendor,
        e.connectionId,
        e.entityKey,
        e.dedupeKey,
        e.dedupeWindowMs,
        e.eventType,
        e.source,
        // The verified body text as received, when the caller has it (TEXT keeps it byte for byte).
        e.payloadText ?? json(e.payload),
        json(e.headers),
        ms(e.receivedAt),
        since,
      ],
    );
    const row = rows[0];
    return { eventId: Number(row?.id), duplicate: row?.duplicate === true };
  }

  /** The enqueued hook for a group's new events, in the transaction that inserted them. */
  private async announceEnqueued(c: Queryable, events: NewInboxEvent[], results: EnqueueResult[]): Promise<void> {
    if (!this.hooks.enqueued) return;
    const fresh = events
      .map((e, i) => ({ e, r: results[i] as EnqueueResult }))
      .filter(({ r }) => !r.duplicate)
      .map(({ e, r }) => ({ id: r.eventId, vendor: e.vendor, connectionId: e.connectionId, entityKey: e.entityKey, source: e.source }));
    if (fresh.length > 0) await this.hooks.enqueued(jobDbOf(c), fresh);
  }

  /**
   * One event, by id, leased to a worker (a job engine that dispatches events itself): pending,
   * or processing under a lease whose holder is gone (the engine hands an event's job to one
   * worker at a time), becomes processing with one more attempt. Null when the event is done,
   * dead or unknown.
   */
  async claimEvent(eventId: number, workerId: string, now: Date, leaseMs: number): Promise<InboxEvent | null> {
    const row = await this.changeEvent(eventId, async (c) =>
      (
        await c.query<Row>(
          `UPDATE inbox_events SET status = 'processing', locked_by = $1, locked_until = $2, attempts = attempts + 1
           WHERE id = $3 AND status IN ('pending','processing') RETURNING *`,
          [workerId, ms(now) + leaseMs, eventId],
        )
      ).rows[0],
    );
    return row ? toEvent(row) : null;
  }

  async claimNext(workerId: string, now: Date, leaseMs: number): Promise<InboxEvent | null> {
    const t = ms(now);
    return this.tx(async (c) => {
      for (const backfill of [false, true]) {
        // Heads whose entity lock someone else holds (a change in flight): we hold their row, skip them.
        const passed: string[] = [];
        for (;;) {
          const head = (
            await c.query<Row>(
              `SELECT vendor, connection_id, entity_key, head_id FROM inbox_entities
               WHERE backfill = $1 AND ready_at <= $2 AND head_id <> ALL($3::bigint[])
               ORDER BY ready_at, head_id LIMIT 1 FOR UPDATE SKIP LOCKED`,
              [backfill, t, passed],
            )
          ).rows[0];
          if (!head) break;
          const [vendor, connectionId, entityKey] = [str(head.vendor), str(head.connection_id), str(head.entity_key)];
          const locked = (
            await c.query<Row>('SELECT pg_try_advisory_xact_lock(hashtextextended($1::text, 0)) AS ok', [entityLockName(vendor, connectionId, entityKey)])
          ).rows[0];
          if (locked?.ok !== true) {
            passed.push(str(head.head_id));
            continue;
          }
          // The head stays the head; every other lease of the entity ran out before now (it was
          // ready), so the entity is next ready once this lease is over.
          const claimed = (
            await c.query<Row>(
              `WITH claimed AS (
                 UPDATE inbox_events SET status = 'processing', locked_by = $1, locked_until = $2::bigint, attempts = attempts + 1
                 WHERE id = $3 AND status IN ('pending','processing') RETURNING *),
               head AS (
                 UPDATE inbox_entities SET ready_at = $2::bigint + 1
                 WHERE vendor = $4 AND connection_id = $5 AND entity_key = $6 AND EXISTS (SELECT 1 FROM claimed))
               SELECT * FROM claimed`,
              [workerId, t + leaseMs, head.head_id, vendor, connectionId, entityKey],
            )
          ).rows[0];
          if (claimed) return toEvent(claimed);
          // The row was stale (cannot happen while every change refreshes it): repair it, go on.
          await this.refreshEntity(c, vendor, connectionId, entityKey);
        }
      }
      return null;
    });
  }

  async complete(eventId: number, workerId: string, now: Date, coveredBefore?: Date): Promise<number> {
    const n = await this.changeEvent(eventId, async (c) => {
      const r = await c.query(
        `UPDATE inbox_events SET status = 'done', processed_at = $1, locked_by = NULL, locked_until = NULL, last_error = NULL
         WHERE id = $2 AND status = 'processing' AND locked_by = $3`,
        [ms(now), eventId, workerId],
      );
      if (!r.rowCount || !coveredBefore) return 0;
      return markCovered(c, eventId, coveredBefore, now);
    });
    return n ?? 0;
  }

  async coalesce(eventId: number, fetchedAfter: Date, now: Date): Promise<number> {
    return (await this.changeEvent(eventId, (c) => markCovered(c, eventId, fetchedAfter, now))) ?? 0;
  }

  async fail(eventId: number, workerId: string, error: string, retryAt: Date, options: FailOptions = {}): Promise<void> {
    const keep = options.countAttempt === false ? 1 : 0;
    await this.changeEvent(eventId, (c) =>
      c.query(
        `UPDATE inbox_events SET status = 'pending', next_attempt_at = $1, last_error = $2, locked_by = NULL, locked_until = NULL,
           attempts = GREATEST(attempts - $5, 0)
         WHERE id = $3 AND status = 'processing' AND locked_by = $4`,
        [ms(retryAt), error, eventId, workerId, keep],
      ),
    );
  }

  async deadLetter(eventId: number, workerId: string, error: string, now: Date): Promise<void> {
    await this.changeEvent(eventId, async (c) => {
      const moved = await c.query<Row>(
        `UPDATE inbox_events SET status = 'dead', last_error = $1, processed_at = $2, locked_by = NULL, locked_until = NULL
         WHERE id = $3 AND status = 'processing' AND locked_by = $4 RETURNING id, vendor, connection_id, entity_key, source, attempts`,
        [error, ms(now), eventId, workerId],
      );
      const ev = moved.rows[0];
      if (moved.rowCount !== 1 || !ev) return;
      // One dead letter per event: a replayed event that dies again updates its own.
      const letter = await c.query<Row>(
        `INSERT INTO dead_letters (event_id, vendor, connection_id, entity_key, event_type, attempts, error, dead_at)
         SELECT id, vendor, connection_id, entity_key, event_type, attempts, $1, $2 FROM inbox_events WHERE id = $3
         ON CONFLICT (event_id) DO UPDATE SET attempts = excluded.attempts, error = excluded.error, dead_at = excluded.dead_at,
           replayed_at = NULL, discarded_at = NULL, discarded_by = NULL, discard_reason = NULL, deaths = dead_letters.deaths + 1
         RETURNING id`,
        [error, ms(now), eventId],
      );
      await c.query(`INSERT INTO dead_letter_history (dead_letter_id, at, action, attempts, error, actor) VALUES ($1, $2, 'dead', $3, $4, $5)`, [
        letter.rows[0]?.id,
        ms(now),
        Number(ev.attempts),
        error,
        workerId,
      ]);
      if (this.hooks.deadLettered) {
        await this.hooks.deadLettered(jobDbOf(c), { ...toJobRef(ev), deadLetterId: Number(letter.rows[0]?.id), attempts: Number(ev.attempts), error });
      }
    });
  }

  async requeueInterrupted(now: Date): Promise<number> {
    // Like SQLite: every `processing` row is taken for an orphan (the worker calls this at start).
    return this.tx(async (c) => {
      const entities = (
        await c.query<Row>(`SELECT DISTINCT vendor, connection_id, entity_key FROM inbox_events WHERE status = 'processing'`)
      ).rows;
      if (!entities.length) return 0;
      await this.lockEntities(c, entities);
      const r = await c.query(
        `UPDATE inbox_events e SET status = 'pending', locked_by = NULL, locked_until = NULL, next_attempt_at = $1
         FROM unnest($2::text[], $3::text[], $4::text[]) AS k(vendor, connection_id, entity_key)
         WHERE e.status = 'processing' AND e.vendor = k.vendor AND e.connection_id = k.connection_id AND e.entity_key = k.entity_key`,
        [ms(now), entities.map((x) => str(x.vendor)), entities.map((x) => str(x.connection_id)), entities.map((x) => str(x.entity_key))],
      );
      for (const x of entities) await this.refreshEntity(c, str(x.vendor), str(x.connection_id), str(x.entity_key));
      return r.rowCount ?? 0;
    });
  }

  async getEvent(eventId: number): Promise<InboxEvent | null> {
    const { rows } = await this.query('SELECT * FROM inbox_events WHERE id = $1', [eventId]);
    return rows[0] ? toEvent(rows[0]) : null;
  }

  async listEvents(filter: { entityKey?: string; vendor?: Vendor; connectionId?: string; status?: InboxStatus; limit?: number }): Promise<InboxEvent[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(`${sql} $${params.length}`);
    };
    if (filter.vendor) add('vendor =', filter.vendor);
    if (filter.connectionId) add('connection_id =', filter.connectionId);
    if (filter.entityKey) add('entity_key =', filter.entityKey);
    if (filter.status) add('status =', filter.status);
    params.push(filter.limit ?? 1000);
    const sql = `SELECT * FROM inbox_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT $${params.length}`;
    return (await this.query(sql, params)).rows.map(toEvent);
  }

  async inboxCounts(): Promise<InboxCounts> {
    const counts: InboxCounts = { pending: 0, processing: 0, done: 0, dead: 0 };
    for (const row of (await this.query('SELECT status, COUNT(*) AS n FROM inbox_events GROUP BY status')).rows) {
      counts[row.status as InboxStatus] = Number(row.n);
    }
    return counts;
  }

  private deadLetterWhere(filter: DeadLetterFilter = {}, params: unknown[] = []): { sql: string; params: unknown[] } {
    const where: string[] = [];
    if (!filter.includeReplayed) where.push('replayed_at IS NULL');
    if (!filter.includeDiscarded) where.push('discarded_at IS NULL');
    if (filter.vendor) (params.push(filter.vendor), where.push(`vendor = $${params.length}`));
    if (filter.connectionId) (params.push(filter.connectionId), where.push(`connection_id = $${params.length}`));
    return { sql: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
  }

  async listDeadLetters(filter: DeadLetterFilter = {}): Promise<DeadLetter[]> {
    const { sql, params } = this.deadLetterWhere(filter);
    return (await this.query(`SELECT * FROM dead_letters ${sql} ORDER BY id`, params)).rows.map(toDeadLetter);
  }

  async getDeadLetter(id: number): Promise<DeadLetterWithHistory | null> {
    const row = (await this.query('SELECT * FROM dead_letters WHERE id = $1', [id])).rows[0];
    if (!row) return null;
    const history = (await this.query('SELECT * FROM dead_letter_history WHERE dead_letter_id = $1 ORDER BY at, id', [id])).rows;
    return { ...toDeadLetter(row), history: history.map(toDeadLetterHistory) };
  }

  async discardDeadLetter(id: number, reason: string, by: string, now: Date): Promise<DiscardOutcome> {
    return this.tx(async (c) => {
      // FOR UPDATE: a replay of the same letter at the same moment goes first or after, never both.
      const row = (await c.query<Row>('SELECT * FROM dead_letters WHERE id = $1 FOR UPDATE', [id])).rows[0];
      if (!row) return 'not-found';
      if (row.discarded_at !== null) return 'already-discarded';
      if (row.replayed_at !== null) return 'not-dead';
      await c.query('UPDATE dead_letters SET discarded_at = $1, discarded_by = $2, discard_reason = $3 WHERE id = $4', [ms(now), by, reason, id]);
      await c.query(`INSERT INTO dead_letter_history (dead_letter_id, at, action, actor, reason) VALUES ($1, $2, 'discarded', $3, $4)`, [id, ms(now), by, reason]);
      if (this.hooks.discarded) {
        const ev = (await c.query<Row>('SELECT id, vendor, connection_id, entity_key, source FROM inbox_events WHERE id = $1', [row.event_id])).rows[0];
        if (ev) await this.hooks.discarded(jobDbOf(c), { ...toJobRef(ev), deadLetterId: id });
      }
      return 'discarded';
    });
  }

  async replayDeadLetters(selection: DeadLetterReplay, now: Date): Promise<number> {
    return this.tx(async (c) => {
      // FOR UPDATE: a concurrent replay of the same letters waits, then finds them replayed.
      // Named ids: open or discarded (naming one brings it back); a filter: open ones only.
      const candidates = selection.ids
        ? (await c.query<Row>('SELECT * FROM dead_letters WHERE id = ANY($1::bigint[]) AND replayed_at IS NULL ORDER BY id FOR UPDATE', [[...new Set(selection.ids)]])).rows
        : await (async () => {
            const { sql, params } = this.deadLetterWhere({ ...selection.filter, includeReplayed: false, includeDiscarded: false });
            return (await c.query<Row>(`SELECT * FROM dead_letters ${sql} ORDER BY id FOR UPDATE`, params)).rows;
          })();
      if (!candidates.length) return 0;
      const events = (
        await c.query<Row>('SELECT vendor, connection_id, entity_key FROM inbox_events WHERE id = ANY($1::bigint[])', [candidates.map((dl) => dl.event_id)])
      ).rows;
      await this.lockEntities(c, events);
      const ids = candidates.map((dl) => dl.id);
      await c.query('UPDATE dead_letters SET replayed_at = $1, discarded_at = NULL, discarded_by = NULL, discard_reason = NULL WHERE id = ANY($2::bigint[])', [ms(now), ids]);
      await c.query(
        `INSERT INTO dead_letter_history (dead_letter_id, at, action, actor) SELECT id, $1, 'replayed', $3 FROM unnest($2::bigint[]) WITH ORDINALITY AS t(id, n) ORDER BY n`,
        [ms(now), ids, selection.by ?? null],
      );
      const requeued = await c.query<Row>(
        `UPDATE inbox_events SET status = 'pending', attempts = 0, next_attempt_at = $1, source = 'replay', processed_at = NULL
         WHERE id = ANY($2::bigint[]) AND status = 'dead' RETURNING id, vendor, connection_id, entity_key, source`,
        [ms(now), candidates.map((dl) => dl.event_id)],
      );
      if (this.hooks.replayed && requeued.rows.length) {
        await this.hooks.replayed(jobDbOf(c), requeued.rows.map(toJobRef).sort((a, b) => a.id - b.id));
      }
      const seen = new Set<string>();
      for (const ev of events) {
        const name = entityLockName(str(ev.vendor), str(ev.connection_id), str(ev.entity_key));
        if (seen.has(name)) continue;
        seen.add(name);
        await this.refreshEntity(c, str(ev.vendor), str(ev.connection_id), str(ev.entity_key));
      }
      return candidates.length;
    });
  }

  // ---- snapshots

  async getSnapshot(ref: EntityRef): Promise<EntitySnapshot | null> {
    const row = (await this.query('SELECT * FROM entity_snapshots WHERE vendor = $1 AND connection_id = $2 AND entity_id = $3', [ref.vendor, ref.connectionId, ref.id])).rows[0];
    return row ? toSnapshot(row) : null;
  }

  async saveSnapshot(s: EntitySnapshot): Promise<void> {
    await this.query(
      `INSERT INTO entity_snapshots (vendor, connection_id, entity_id, data, vendor_updated_at, saved_at, deleted)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7)
       ON CONFLICT (vendor, connection_id, entity_id) DO UPDATE SET
         data = excluded.data, vendor_updated_at = excluded.vendor_updated_at, saved_at = excluded.saved_at, deleted = excluded.deleted`,
      [s.ref.vendor, s.ref.connectionId, s.ref.id, json(s.data), s.vendorUpdatedAt, ms(s.savedAt), s.deleted],
    );
  }

  async recentTicketsOfRequester(vendor: Vendor, connectionId: string, requesterId: string, sinceIso: string) {
    // COLLATE "C": ISO timestamps compare as SQLite compares them, byte by byte.
    const { rows } = await this.query(
      `SELECT data->>'id' AS id, data->>'subject' AS subject, data->>'createdAt' AS created_at, data->>'url' AS url
       FROM entity_snapshots
       WHERE vendor = $1 AND connection_id = $2 AND NOT deleted
         AND data->'requester'->>'id' = $3 AND (data->>'createdAt') COLLATE "C" >= $4
       ORDER BY (data->>'createdAt') COLLATE "C" DESC LIMIT 50`,
      [vendor, connectionId, requesterId, sinceIso],
    );
    return rows.map((r) => ({ id: str(r.id), subject: str(r.subject ?? ''), createdAt: str(r.created_at), url: str(r.url ?? '') }));
  }

  async listTicketsAwayFromOwner(): Promise<EntityRef[]> {
    const { rows } = await this.query(
      `SELECT o.vendor, o.connection_id, o.ticket_id FROM ticket_owners o
       JOIN entity_snapshots s ON s.vendor = o.vendor AND s.connection_id = o.connection_id AND s.entity_id = o.ticket_id
       WHERE NOT s.deleted
         AND s.data->>'status' NOT IN ('resolved', 'closed')
         AND COALESCE(s.data->>'assigneeId', '') <> o.owner_id
       ORDER BY o.vendor COLLATE "C", o.connection_id COLLATE "C", o.ticket_id COLLATE "C"`,
    );
    return rows.map((r) => refOf(r));
  }

  // ---- links

  async getLinkByTicket(t: EntityRef): Promise<TicketLink | null> {
    const row = (await this.query('SELECT * FROM ticket_links WHERE vendor = $1 AND connection_id = $2 AND ticket_id = $3', [t.vendor, t.connectionId, t.id])).rows[0];
    return row ? toLink(row) : null;
  }

  async getLinkByIssue(jiraConnectionId: string, issueId: string): Promise<TicketLink | null> {
    const row = (await this.query('SELECT * FROM ticket_links WHERE jira_connection_id = $1 AND issue_id = $2', [jiraConnectionId, issueId])).rows[0];
    return row ? toLink(row) : null;
  }

  async reserveLink(t: EntityRef, jiraConnectionId: string, now: Date): Promise<boolean> {
    const r = await this.query(
      `INSERT INTO ticket_links (vendor, connection_id, ticket_id, jira_connection_id, state, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 'creating', $5, $5) ON CONFLICT DO NOTHING`,
      [t.vendor, t.connectionId, t.id, jiraConnectionId, ms(now)],
    );
    return r.rowCount === 1;
  }

  async completeLink(t: EntityRef, link: { issueId: string; issueKey: string; kind: string; missing: string[] }, now: Date): Promise<void> {
    await this.query(
      `UPDATE ticket_links SET issue_id = $1, issue_key = $2, kind = $3, missing_sections = $4, state = 'linked', updated_at = $5
       WHERE vendor = $6 AND connection_id = $7 AND ticket_id = $8`,
      [link.issueId, link.issueKey, link.kind, json(link.missing), ms(now), t.vendor, t.connectionId, t.id],
    );
  }

  async setLinkMissing(t: EntityRef, missing: string[], now: Date): Promise<void> {
    await this.query('UPDATE ticket_links SET missing_sections = $1, updated_at = $2 WHERE vendor = $3 AND connection_id = $4 AND ticket_id = $5', [
      json(missing),
      ms(now),
      t.vendor,
      t.connectionId,
      t.id,
    ]);
  }

  async releaseLink(t: EntityRef): Promise<void> {
    await this.query(`DELETE FROM ticket_links WHERE vendor = $1 AND connection_id = $2 AND ticket_id = $3 AND state = 'creating'`, [t.vendor, t.connectionId, t.id]);
  }

  async listLinks(filter: { vendor?: Vendor; connectionId?: string } = {}): Promise<TicketLink[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.vendor) (params.push(filter.vendor), where.push(`vendor = $${params.length}`));
    if (filter.connectionId) (params.push(filter.connectionId), where.push(`connection_id = $${params.length}`));
    const sql = `SELECT * FROM ticket_links ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY created_at, vendor COLLATE "C", connection_id COLLATE "C", ticket_id COLLATE "C"`;
    return (await this.query(sql, params)).rows.map(toLink);
  }

  // ---- owners and trail

  async getOwner(t: EntityRef): Promise<TicketOwner | null> {
    const row = (await this.query('SELECT * FROM ticket_owners WHERE vendor = $1 AND connection_id = $2 AND ticket_id = $3', [t.vendor, t.connectionId, t.id])).rows[0];
    return row ? toOwner(row) : null;
  }

  async setOwner(o: TicketOwner): Promise<void> {
    await this.query(
      `INSERT INTO ticket_owners (vendor, connection_id, ticket_id, owner_id, owner_group_id, since, claimed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (vendor, connection_id, ticket_id) DO UPDATE SET
         owner_id = excluded.owner_id, owner_group_id = excluded.owner_group_id, since = excluded.since, claimed_at = excluded.claimed_at`,
      [o.ticket.vendor, o.ticket.connectionId, o.ticket.id, o.ownerId, o.ownerGroupId, ms(o.since), o.claimedAt ? ms(o.claimedAt) : null],
    );
  }

  async appendHandoff(h: Handoff): Promise<number> {
    const r = await this.query(
      `INSERT INTO handoffs (vendor, connection_id, ticket_id, at, actor_id, direction, from_group_id, to_group_id, from_assignee_id, to_assignee_id, comment_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
      [h.ticket.vendor, h.ticket.connectionId, h.ticket.id, ms(h.at), h.actorId, h.direction, h.fromGroupId, h.toGroupId, h.fromAssigneeId, h.toAssigneeId, h.commentId],
    );
    return Number(r.rows[0]?.id);
  }

  async listHandoffs(t: EntityRef): Promise<Handoff[]> {
    const { rows } = await this.query('SELECT * FROM handoffs WHERE vendor = $1 AND connection_id = $2 AND ticket_id = $3 ORDER BY at, id', [t.vendor, t.connectionId, t.id]);
    return rows.map(toHandoff);
  }

  // ---- audit trail

  async recordDecision(d: Decision): Promise<number> {
    const r = await this.query(
      `INSERT INTO decisions (vendor, connection_id, ticket_id, rule_id, verdict, actor_id, at, summary, actions, event_id, decision_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING RETURNING id`,
      [d.ticket.vendor, d.ticket.connectionId, d.ticket.id, d.ruleId, d.verdict, d.actorId, ms(d.at), d.summary, json(d.actions), d.eventId, d.key ?? null],
    );
    if (r.rows[0]) return Number(r.rows[0].id);
    // ON CONFLICT waited for the conflicting insert to commit, so the row is visible now.
    const row = (await this.query('SELECT id FROM decisions WHERE decision_key = $1', [d.key ?? null])).rows[0];
    return row ? Number(row.id) : 0;
  }

  async listDecisions(filter: { ticket?: EntityRef; ruleId?: string; limit?: number }): Promise<Decision[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.ticket) {
      params.push(filter.ticket.vendor, filter.ticket.connectionId, filter.ticket.id);
      where.push(`vendor = $${params.length - 2} AND connection_id = $${params.length - 1} AND ticket_id = $${params.length}`);
    }
    if (filter.ruleId) (params.push(filter.ruleId), where.push(`rule_id = $${params.length}`));
    params.push(filter.limit ?? 10_000);
    const sql = `SELECT * FROM decisions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at, id LIMIT $${params.length}`;
    return (await this.query(sql, params)).rows.map(toDecision);
  }

  // ---- executor

  async getExecutedAction(key: string): Promise<ExecutedAction | null> {
    const row = (await this.query('SELECT * FROM executed_actions WHERE idempotency_key = $1', [key])).rows[0];
    return row ? toExecuted(row) : null;
  }

  async recordExecutedAction(a: ExecutedAction): Promise<boolean> {
    const r = await this.query(
      `INSERT INTO executed_actions (idempotency_key, vendor, connection_id, ticket_id, kind, result, at, rule_id, target_vendor, target_connection_id, target_id, result_id, state)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING`,
      [
        a.idempotencyKey,
        a.ticket?.vendor ?? null,
        a.ticket?.connectionId ?? null,
        a.ticket?.id ?? null,
        a.kind,
        json(a.result),
        ms(a.at),
        a.ruleId ?? null,
        a.target?.vendor ?? null,
        a.target?.connectionId ?? null,
        a.target?.id ?? null,
        a.resultId ?? null,
        a.state ?? 'done',
      ],
    );
    return r.rowCount === 1;
  }

  async finishExecutedAction(key: string, done: { resultId: string | null; result: unknown; at: Date }): Promise<void> {
    await this.query(`UPDATE executed_actions SET state = 'done', result_id = $1, result = $2, at = $3 WHERE idempotency_key = $4`, [
      done.resultId,
      json(done.result),
      ms(done.at),
      key,
    ]);
  }

  async forgetExecutedAction(key: string): Promise<void> {
    await this.query(`DELETE FROM executed_actions WHERE idempotency_key = $1 AND state = 'started'`, [key]);
  }

  async findWriteByResult(vendor: Vendor, connectionId: string, resultId: string): Promise<ExecutedAction | null> {
    const row = (
      await this.query('SELECT * FROM executed_actions WHERE target_vendor = $1 AND target_connection_id = $2 AND result_id = $3 LIMIT 1', [vendor, connectionId, resultId])
    ).rows[0];
    return row ? toExecuted(row) : null;
  }

  async listExecutedActions(filter: LedgerFilter): Promise<ExecutedAction[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.ticket) {
      params.push(filter.ticket.vendor, filter.ticket.connectionId, filter.ticket.id);
      where.push(`vendor = $${params.length - 2} AND connection_id = $${params.length - 1} AND ticket_id = $${params.length}`);
    }
    if (filter.target) {
      params.push(filter.target.vendor, filter.target.connectionId, filter.target.id);
      where.push(`target_vendor = $${params.length - 2} AND target_connection_id = $${params.length - 1} AND target_id = $${params.length}`);
    }
    // starts_with, not LIKE: keys hold _ and %, which LIKE would read as wildcards.
    if (filter.keyPrefix) (params.push(filter.keyPrefix), where.push(`starts_with(idempotency_key, $${params.length})`));
    if (filter.since) (params.push(ms(filter.since)), where.push(`at >= $${params.length}`));
    params.push(filter.limit ?? 100_000);
    const sql = `SELECT * FROM executed_actions ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY at, idempotency_key COLLATE "C" LIMIT $${params.length}`;
    return (await this.query(sql, params)).rows.map(toExecuted);
  }

  // ---- scheduled jobs

  async acquireLock(name: string, holder: string, now: Date, ttlMs: number): Promise<boolean> {
    const t = ms(now);
    const r = await this.query(
      `INSERT INTO job_locks (name, holder, acquired_at, expires_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
       WHERE job_locks.expires_at < $3 OR job_locks.holder = excluded.holder`,
      [name, holder, t, t + ttlMs],
    );
    return r.rowCount === 1;
  }

  async releaseLock(name: string, holder: string): Promise<void> {
    await this.query('DELETE FROM job_locks WHERE name = $1 AND holder = $2', [name, holder]);
  }

  async startJobRun(job: string, holder: string, now: Date): Promise<number> {
    const r = await this.query('INSERT INTO job_runs (job, holder, started_at) VALUES ($1, $2, $3) RETURNING id', [job, holder, ms(now)]);
    return Number(r.rows[0]?.id);
  }

  async finishJobRun(id: number, end: { outcome: JobRun['outcome']; summary: Record<string, number>; error: string | null }, now: Date): Promise<void> {
    await this.query('UPDATE job_runs SET finished_at = $1, outcome = $2, summary = $3, error = $4 WHERE id = $5', [ms(now), end.outcome, json(end.summary), end.error, id]);
  }

  async lastJobRuns(): Promise<JobRun[]> {
    const { rows } = await this.query('SELECT * FROM job_runs WHERE id IN (SELECT MAX(id) FROM job_runs GROUP BY job) ORDER BY job COLLATE "C"');
    return rows.map((row) => ({
      id: Number(row.id),
      job: str(row.job),
      holder: str(row.holder),
      startedAt: date(row.started_at),
      finishedAt: dateOrNull(row.finished_at),
      outcome: row.outcome as JobRun['outcome'],
      summary: parsed(row.summary) as Record<string, number>,
      error: strOrNull(row.error),
    }));
  }

  async countPending(source: EventSource): Promise<number> {
    const { rows } = await this.query(`SELECT COUNT(*) AS n FROM inbox_events WHERE status = 'pending' AND source = $1`, [source]);
    return Number(rows[0]?.n ?? 0);
  }

  // ---- cursors

  async getCursor(name: string): Promise<string | null> {
    const row = (await this.query('SELECT value FROM sync_cursors WHERE name = $1', [name])).rows[0];
    return row ? str(row.value) : null;
  }

  async setCursor(name: string, value: string, now: Date): Promise<void> {
    await this.query(
      `INSERT INTO sync_cursors (name, value, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      [name, value, ms(now)],
    );
  }

  async listCursors(): Promise<CursorRow[]> {
    return (await this.query('SELECT * FROM sync_cursors ORDER BY name COLLATE "C"')).rows.map((r) => ({ name: str(r.name), value: str(r.value), updatedAt: date(r.updated_at) }));
  }

  async saveCircuit(record: CircuitRecord): Promise<void> {
    await this.query(
      `INSERT INTO connection_circuits (vendor, connection_id, holder, state, reason, failures, opened_at, probe_at, last_error, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (vendor, connection_id, holder) DO UPDATE SET state = excluded.state, reason = excluded.reason, failures = excluded.failures,
           opened_at = excluded.opened_at, probe_at = excluded.probe_at, last_error = excluded.last_error, updated_at = excluded.updated_at`,
      circuitValues(record),
    );
  }

  async clearCircuit(vendor: Vendor, connectionId: string, holder: string): Promise<void> {
    await this.query('DELETE FROM connection_circuits WHERE vendor = $1 AND connection_id = $2 AND holder = $3', [vendor, connectionId, holder]);
  }

  async listCircuits(): Promise<CircuitRecord[]> {
    return (await this.query('SELECT * FROM connection_circuits ORDER BY vendor, connection_id, holder COLLATE "C"')).rows.map(toCircuit);
  }

  // ---- service levels (S1-S3)
  // sla_states' key columns are COLLATE "C" (migration 8): its primary key orders ticket ids
  // byte by byte, as SQLite does, so listSla's order and keyset are the index's.

  async getSla(t: EntityRef): Promise<SlaRecord | null> {
    const row = (await this.query('SELECT * FROM sla_states WHERE vendor = $1 AND connection_id = $2 AND ticket_id = $3', [t.vendor, t.connectionId, t.id])).rows[0];
    return row ? toSla(row) : null;
  }

  async saveSla(r: SlaRecord): Promise<void> {
    await this.query(
      `INSERT INTO sla_states (vendor, connection_id, ticket_id, state, open, next_check_at, updated_at) VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7)
       ON CONFLICT (vendor, connection_id, ticket_id) DO UPDATE SET
         state = excluded.state, open = excluded.open, next_check_at = excluded.next_check_at, updated_at = excluded.updated_at`,
      [r.ticket.vendor, r.ticket.connectionId, r.ticket.id, json(r.state), r.open, r.nextCheckAt ? ms(r.nextCheckAt) : null, ms(r.updatedAt)],
    );
  }

  async listSlaDue(now: Date, limit: number): Promise<SlaRecord[]> {
    // Walks sla_states_due from its start: only due rows are read.
    const { rows } = await this.query(
      `SELECT * FROM sla_states WHERE next_check_at IS NOT NULL AND next_check_at <= $1
       ORDER BY next_check_at, vendor, connection_id, ticket_id LIMIT $2`,
      [ms(now), limitOf(limit, 0)],
    );
    return rows.map(toSla);
  }

  /** Ticket ids are text and order byte by byte (COLLATE "C"), as in SQLite, so '10' < '9'. */
  async listSla(filter: SlaFilter = {}): Promise<SlaRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.vendor) (params.push(filter.vendor), where.push(`vendor = $${params.length}`));
    if (filter.connectionId) (params.push(filter.connectionId), where.push(`connection_id = $${params.length}`));
    if (filter.openOnly) where.push('open');
    if (filter.after) {
      params.push(filter.after.vendor, filter.after.connectionId, filter.after.id);
      const n = params.length;
      where.push(`(vendor, connection_id, ticket_id) > ($${n - 2}, $${n - 1}, $${n})`);
    }
    params.push(limitOf(filter.limit, SLA_PAGE));
    const sql = `SELECT * FROM sla_states ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY vendor, connection_id, ticket_id LIMIT $${params.length}`;
    return (await this.query(sql, params)).rows.map(toSla);
  }

  /**
   * Live helpdesk snapshots without an SLA record, in byte order of their key: a walk of
   * entity_snapshots_live_tickets (whose predicate and COLLATE "C" columns the query repeats)
   * from `after`, each probed in sla_states' primary key (an anti-join).
   */
  async listTicketsWithoutSla(limit: number, after?: EntityRef): Promise<EntityRef[]> {
    const params: unknown[] = [limitOf(limit, 0)];
    if (after) params.push(after.vendor, after.connectionId, after.id);
    const { rows } = await this.query(
      `SELECT s.vendor, s.connection_id, s.entity_id FROM entity_snapshots s
       WHERE NOT s.deleted AND s.vendor IN ('freshdesk', 'zendesk')
         ${after ? 'AND (s.vendor COLLATE "C", s.connection_id COLLATE "C", s.entity_id COLLATE "C") > ($2, $3, $4)' : ''}
         AND NOT EXISTS (SELECT 1 FROM sla_states a WHERE a.vendor = s.vendor AND a.connection_id = s.connection_id AND a.ticket_id = s.entity_id)
       ORDER BY s.vendor COLLATE "C", s.connection_id COLLATE "C", s.entity_id COLLATE "C" LIMIT $1`,
      params,
    );
    return rows.map((r) => refOf(r, 'entity_id'));
  }

  // ---- the audit (A1)

  /**
   * One page of linked pairs in byte order of their key (a walk of ticket_links_bytes, whose
   * COLLATE "C" columns the query repeats, from `after`), then their facts in one query per
   * kind of fact for the whole page: the page's keys go in as three arrays, unnest() makes them
   * rows, and each is looked up in the table's index (equality: any collation finds the same rows).
   * One read-only REPEATABLE READ transaction, so the facts are of one moment, as SQLite's are.
   */
  async listAuditPairs(filter: AuditPairFilter): Promise<AuditFacts[]> {
    const limit = limitOf(filter.limit, 0);
    if (limit === 0) return [];
    const where: string[] = ["l.state IN ('creating','linked')"];
    const params: unknown[] = [];
    if (filter.vendor) (params.push(filter.vendor), where.push(`l.vendor COLLATE "C" = $${params.length}`));
    if (filter.connectionId) (params.push(filter.connectionId), where.push(`l.connection_id COLLATE "C" = $${params.length}`));
    if (filter.after) {
      params.push(filter.after.vendor, filter.after.connectionId, filter.after.id);
      const n = params.length;
      where.push(`(${LINK_KEY_C}) > ($${n - 2}, $${n - 1}, $${n})`);
    }
    if (filter.linkedFrom) (params.push(ms(filter.linkedFrom)), where.push(`l.created_at >= $${params.length}`));
    if (filter.linkedTo) (params.push(ms(filter.linkedTo)), where.push(`l.created_at < $${params.length}`));
    if (filter.ruleId) {
      params.push(filter.ruleId);
      where.push(
        `EXISTS (SELECT 1 FROM decisions d WHERE d.vendor = l.vendor AND d.connection_id = l.connection_id AND d.ticket_id = l.ticket_id
                 AND d.verdict IN ${FLAGGED} AND d.rule_id = $${params.length})`,
      );
    }
    params.push(limit);
    const byTicket = (table: string, alias: string, idColumn = 'ticket_id') =>
      `FROM unnest($1::text[], $2::text[], $3::text[]) AS k(vendor, connection_id, entity_id)
       JOIN ${table} ${alias} ON ${alias}.vendor = k.vendor AND ${alias}.connection_id = k.connection_id AND ${alias}.${idColumn} = k.entity_id`;
    const read = await this.tx(async (c) => {
      await c.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      const found = (await c.query<Row>(`SELECT l.* FROM ticket_links l WHERE ${where.join(' AND ')} ORDER BY ${LINK_KEY_C} LIMIT $${params.length}`, params)).rows.map(toLink);
      if (found.length === 0) return null;
      const tickets = [found.map((l) => l.ticket.vendor), found.map((l) => l.ticket.connectionId), found.map((l) => l.ticket.id)];
      const withIssue = found.filter((l) => l.issueId !== null);
      const refs = [
        [...found.map((l) => l.ticket.vendor), ...withIssue.map(() => 'jira')],
        [...found.map((l) => l.ticket.connectionId), ...withIssue.map((l) => l.jiraConnectionId)],
        [...found.map((l) => l.ticket.id), ...withIssue.map((l) => l.issueId as string)],
      ];
      const all = async (sql: string, values: unknown[]) => (await c.query<Row>(sql, values)).rows;
      return {
        links: found,
        snapshotRows: await all(`SELECT s.* ${byTicket('entity_snapshots', 's', 'entity_id')}`, refs),
        ownerRows: await all(`SELECT o.* ${byTicket('ticket_owners', 'o')}`, tickets),
        slaRows: await all(`SELECT a.* ${byTicket('sla_states', 'a')}`, tickets),
        handoffRows: await all(`SELECT h.* ${byTicket('handoffs', 'h')} ORDER BY h.at, h.id`, tickets),
        decisionRows: await all(`SELECT d.* ${byTicket('decisions', 'd')} WHERE ${AUDIT_DECISION} ORDER BY d.at, d.id`, tickets),
      };
    });
    if (!read) return [];
    const { links, snapshotRows, ownerRows, slaRows, handoffRows, decisionRows } = read;
    const keyOf = (row: Row) => refKey(str(row.vendor), str(row.connection_id), str(row.ticket_id));
    const snapshots = new Map(snapshotRows.map((row) => [refKey(str(row.vendor), str(row.connection_id), str(row.entity_id)), toSnapshot(row)]));
    const owners = new Map(ownerRows.map((row) => [keyOf(row), toOwner(row)]));
    const slas = new Map(slaRows.map((row) => [keyOf(row), toSla(row)]));
    const group = <T>(rows: Row[], map: (row: Row) => T) => {
      const byKey = new Map<string, T[]>();
      for (const row of rows) {
        const list = byKey.get(keyOf(row)) ?? [];
        list.push(map(row));
        byKey.set(keyOf(row), list);
      }
      return byKey;
    };
    const handoffs = group(handoffRows, toHandoff);
    const decisions = group(decisionRows, toDecision);

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

  /** Newest first: decisions_flagged (or decisions_flagged_rule with a rule) from `beforeId`, or a range of decisions_flagged_at. */
  async listViolations(filter: ViolationFilter): Promise<Decision[]> {
    const where: string[] = [`verdict IN ${FLAGGED}`];
    const params: unknown[] = [];
    if (filter.vendor) (params.push(filter.vendor), where.push(`vendor = $${params.length}`));
    if (filter.connectionId) (params.push(filter.connectionId), where.push(`connection_id = $${params.length}`));
    if (filter.ruleId) (params.push(filter.ruleId), where.push(`rule_id = $${params.length}`));
    if (filter.from) (params.push(ms(filter.from)), where.push(`at >= $${params.length}`));
    if (filter.to) (params.push(ms(filter.to)), where.push(`at < $${params.length}`));
    if (filter.beforeId !== undefined) (params.push(filter.beforeId), where.push(`id < $${params.length}`));
    params.push(limitOf(filter.limit, 0));
    const sql = `SELECT * FROM decisions WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT $${params.length}`;
    return (await this.query(sql, params)).rows.map(toDecision);
  }

  /** Three ranges of covering indexes (handoffs_direction, decisions_flagged_at, ticket_links_created), counted per UTC day, in one statement. */
  async auditTimeline(filter: AuditTimelineFilter): Promise<AuditDay[]> {
    const params: unknown[] = [ms(filter.from), ms(filter.to)];
    const extra: string[] = [];
    if (filter.vendor) (params.push(filter.vendor), extra.push(`vendor = $${params.length}`));
    if (filter.connectionId) (params.push(filter.connectionId), extra.push(`connection_id = $${params.length}`));
    const part = (name: keyof Omit<AuditDay, 'day'>, table: string, time: string, condition?: string) =>
      `SELECT '${name}' AS kind, ${daySql(time)} AS day, COUNT(*) AS n FROM ${table}
       WHERE ${[...(condition ? [condition] : []), `${time} >= $1`, `${time} < $2`, ...extra].join(' AND ')} GROUP BY 2`;
    const { rows } = await this.query(
      [
        part('escalations', 'handoffs', 'at', "direction = 'escalate'"),
        part('violations', 'decisions', 'at', `verdict IN ${FLAGGED}`),
        part('raised', 'ticket_links', 'created_at'),
      ].join(' UNION ALL '),
      params,
    );
    const days = new Map<number, AuditDay>();
    for (const row of rows) {
      const n = Number(row.n);
      if (n === 0) continue;
      const day = Number(row.day);
      const entry = days.get(day) ?? { day: dayOf(day), escalations: 0, violations: 0, raised: 0 };
      entry[str(row.kind) as keyof Omit<AuditDay, 'day'>] = n;
      days.set(day, entry);
    }
    return [...days.entries()].sort((a, b) => a[0] - b[0]).map(([, entry]) => entry);
  }
}
