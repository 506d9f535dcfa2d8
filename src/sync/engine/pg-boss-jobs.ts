import { randomBytes } from 'node:crypto';
import type { ConstructorOptions, PgBoss, Queue, QueueResult } from 'pg-boss';
import type { Logger } from '../../logging/logger';
import type { InboxJobRef, PgJobDb, PgStore } from '../../store/postgres/pg-store';
import type { Store } from '../../store/types';

/**
 * pg-boss as the job engine of a PostgreSQL store: the queues, the sends, and the hooks that put
 * them inside the store's own transactions. The inbox stays the one door and keeps the dedupe
 * (a redelivery never reaches pg-boss); each new inbox row gets one job on INBOX_QUEUE, sent on
 * the enqueue's connection before its COMMIT, so the row and its job exist together or not at
 * all. pg-boss keeps its tables in a schema of its own (config database.jobSchema, env PGBOSS_SCHEMA, default `pgboss`).
 */

/** Every inbox event's job; key_strict_fifo on `${vendor}:${connectionId}:${entityKey}`. */
export const INBOX_QUEUE = 'helpdesk-sync-inbox';
/** A copy of every dead-lettered event (ours, and any job pg-boss itself gave up on). */
export const DEAD_QUEUE = 'helpdesk-sync-dead';
/** One queue per scheduled job (poll, reconcile, consult-sweep). */
export const scheduleQueueOf = (job: string): string => `helpdesk-sync-job-${job}`;

/** Job freshness: a worker renews its active jobs every half of this; a job unseen this long is retried elsewhere. */
export const HEARTBEAT_SECONDS = 10;
/** How often an instance looks for jobs whose worker is gone (and the other supervision pg-boss does). */
export const SUPERVISE_INTERVAL_SECONDS = 5;

export interface InboxJobData {
  eventId: number;
}

export interface DeadJobData extends InboxJobData {
  deadLetterId: number | null;
  vendor: string;
  connectionId: string;
  entityKey: string;
  attempts: number;
  error: string;
}


/**
 * A job id that sorts as its event's id. key_strict_fifo takes a key's jobs in created_on order,
 * then by id; created_on is the sending transaction's start, the same for every job of a group of
 * enqueues, so a random id would let a ticket's later event overtake an earlier one. The event id
 * fills the first eight bytes (big-endian; uuids compare bytewise), random bytes the rest (a
 * replayed event gets a job of its own).
 */
export function orderedJobId(eventId: number): string {
  const head = BigInt(eventId).toString(16).padStart(16, '0');
  const tail = randomBytes(8).toString('hex');
  return `${head.slice(0, 8)}-${head.slice(8, 12)}-${head.slice(12, 16)}-${tail.slice(0, 4)}-${tail.slice(4)}`;
}

/** An inbox event's job: ordered id, its ticket's key; backfill waits behind live events of other tickets. */
function jobOf(ref: InboxJobRef): { id: string; data: InboxJobData; singletonKey: string; priority: number } {
  return { id: orderedJobId(ref.id), data: { eventId: ref.id }, singletonKey: singletonKeyOf(ref), priority: ref.source === 'backfill' ? 0 : 1 };
}

/** The key that orders one ticket's (or issue's) events. */
export const singletonKeyOf = (e: Pick<InboxJobRef, 'vendor' | 'connectionId' | 'entityKey'>): string => `${e.vendor}:${e.connectionId}:${e.entityKey}`;

/** The store as a PgStore, when it is one (only PostgreSQL stores get pg-boss). */
export function asPgStore(store: Store): PgStore | null {
  return store.kind === 'postgres' ? (store as PgStore) : null;
}

export interface RetrySettings {
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  leaseMs: number;
}

/**
 * The inbox queue's retry settings from config.worker: our handler decides when an event is
 * dead (a permanent error, attempt maxAttempts failed, or claimed too often without an
 * outcome) and then completes the job, so pg-boss must never run out of retries first. Waiting
 * out a vendor outage (an open circuit) throws too without spending an attempt of ours, so
 * pg-boss's own limit is set far beyond any outage. Delays are whole seconds in pg-boss.
 */
/** At the longest retry gap (retryDelayMax) this is weeks of waiting. */
export const PG_BOSS_RETRY_LIMIT = 100_000;

export function inboxQueueOptions(s: RetrySettings): Omit<Queue, 'name'> {
  const delay = Math.max(1, Math.round(s.backoffBaseMs / 1000));
  return {
    policy: 'key_strict_fifo',
    deadLetter: DEAD_QUEUE,
    retryLimit: PG_BOSS_RETRY_LIMIT,
    retryDelay: delay,
    retryBackoff: true,
    retryDelayMax: Math.max(delay, Math.ceil(s.backoffMaxMs / 1000)),
    expireInSeconds: Math.max(HEARTBEAT_SECONDS * 3, Math.ceil(s.leaseMs / 1000)),
    heartbeatSeconds: HEARTBEAT_SECONDS,
    notify: true,
  };
}

type PgBossModule = typeof import('pg-boss');

/** pg-boss is ESM only: loaded on demand (require(esm) on Node >= 20.19 / 22.12), never by SQLite setups. */
export async function loadPgBoss(): Promise<PgBossModule> {
  return import('pg-boss');
}

async function ensureQueue(boss: PgBoss, name: string, options: Omit<Queue, 'name'>): Promise<void> {
  const existing = await boss.getQueue(name);
  if (existing) {
    const { policy: _policy, partition: _partition, ...changeable } = options;
    await boss.updateQueue(name, changeable);
    return;
  }
  try {
    await boss.createQueue(name, options);
  } catch (err) {
    // Another instance created it at the same moment.
    if (!(await boss.getQueue(name))) throw err;
  }
}

export interface PgBossJobsOptions {
  store: PgStore;
  logger: Logger;
  retry: RetrySettings;
  /** Worker roles supervise (expired or stale jobs, retention) and run schedules; senders do not. */
  supervise: boolean;
  /** config database.jobSchema (PGBOSS_SCHEMA). */
  schema: string;
}

/**
 * A started pg-boss on the store's database, with the queues made and the store's hooks set:
 * from now on every new inbox event, dead letter and replay sends its job in its own transaction.
 */
export class PgBossJobs {
  private constructor(
    readonly boss: PgBoss,
    readonly store: PgStore,
    readonly schema: string,
    private readonly logger: Logger,
  ) {}

  static async start(opts: PgBossJobsOptions): Promise<PgBossJobs> {
    const { PgBoss: Boss } = await loadPgBoss();
    const { schema } = opts;
    const config: ConstructorOptions = {
      connectionString: opts.store.connection.url,
      schema,
      application_name: 'helpdesk-sync',
      max: 5,
      supervise: opts.supervise,
      schedule: opts.supervise,
      superviseIntervalSeconds: SUPERVISE_INTERVAL_SECONDS,
      // Expired jobs and jobs whose heartbeat stopped (their instance died) are failed, and so
      // retried, in the monitor pass, which runs every monitorIntervalSeconds (default 60), not
      // every supervise interval: without this a dead instance's jobs wait a minute or more.
      monitorIntervalSeconds: SUPERVISE_INTERVAL_SECONDS,
      useListenNotify: opts.supervise,
    };
    const boss = new Boss(config);
    boss.on('error', (err: Error) => opts.logger.error('pg-boss error', { error: err.message }));
    await boss.start();
    await ensureQueue(boss, DEAD_QUEUE, { policy: 'standard', retentionSeconds: 90 * 24 * 3600 });
    await ensureQueue(boss, INBOX_QUEUE, inboxQueueOptions(opts.retry));
    const jobs = new PgBossJobs(boss, opts.store, schema, opts.logger);
    jobs.installHooks();
    return jobs;
  }

  /** Sends the job of one inbox event; on `db` (a store transaction) when given. */
  async sendEvent(ref: InboxJobRef, db?: PgJobDb): Promise<string | null> {
    return this.boss.send(INBOX_QUEUE, jobOf(ref).data, { ...jobOf(ref), ...(db ? { db } : {}) });
  }

  /** The jobs of a group of inbox events, in one statement, in the events' order. */
  async sendEvents(refs: InboxJobRef[], db: PgJobDb): Promise<void> {
    if (refs.length === 1) await this.sendEvent(refs[0] as InboxJobRef, db);
    else await this.boss.insert(INBOX_QUEUE, refs.map(jobOf), { db });
  }

  private installHooks(): void {
    this.store.setInboxHooks({
      enqueued: async (db, events) => {
        await this.sendEvents(events, db);
      },
      deadLettered: async (db, event) => {
        const data: DeadJobData = {
          eventId: event.id,
          deadLetterId: event.deadLetterId,
          vendor: event.vendor,
          connectionId: event.connectionId,
          entityKey: event.entityKey,
          attempts: event.attempts,
          error: event.error,
        };
        await this.boss.send(DEAD_QUEUE, data, { db });
      },
      replayed: async (db, events) => {
        for (const event of events) {
          // The dead queue lists what is dead now: the copy goes, a new job comes. If the event
          // dies again, its new copy carries the same deadLetterId (one dead letter per event).
          await this.deleteDeadCopies(event.id, db);
          await this.sendEvent(event, db);
        }
      },
      discarded: async (db, event) => {
        // Discarded: dead for good, on purpose; the dead queue keeps what waits for a person.
        await this.deleteDeadCopies(event.id, db);
      },
    });
  }

  /** The dead-queue copies of one event (ours, and pg-boss's own when it gave up on the job). */
  private async deleteDeadCopies(eventId: number, db: PgJobDb): Promise<void> {
    const copies = await this.boss.findJobs<DeadJobData>(DEAD_QUEUE, { data: { eventId }, db });
    if (copies.length) await this.boss.deleteJob(DEAD_QUEUE, copies.map((j) => j.id), { db });
  }

  /** Queue counts and the keys pg-boss holds back (a failed job under key_strict_fifo blocks its key). */
  async inboxStatus(): Promise<{ inbox: QueueResult | null; dead: QueueResult | null; blockedKeys: string[] }> {
    const [inbox, dead, blockedKeys] = await Promise.all([
      this.boss.getQueue(INBOX_QUEUE),
      this.boss.getQueue(DEAD_QUEUE),
      this.boss.getBlockedKeys(INBOX_QUEUE, { limit: 1000 }),
    ]);
    return { inbox, dead, blockedKeys };
  }

  /** Stops sending from this store, then pg-boss (waiting for handlers in progress up to `timeoutMs`). */
  async stop(timeoutMs = 30_000): Promise<void> {
    this.store.setInboxHooks(null);
    await this.boss.stop({ graceful: true, timeout: timeoutMs });
    this.logger.debug('pg-boss stopped');
  }
}
