import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LoadedConfig } from './config/load';
import { createApp } from './http/app';
import { Metrics } from './metrics/registry';
import { createLogger, type Logger } from './logging/logger';
import { openStore } from './store/open-store';
import { sqlitePathOf } from './store/sqlite/sqlite-store';
import { ThreadedSqliteStore } from './store/sqlite/threaded-store';
import type { Store } from './store/types';
import { PgBossEngine } from './sync/engine/pg-boss-engine';
import { asPgStore, PgBossJobs } from './sync/engine/pg-boss-jobs';
import { VendorClients } from './sync/clients';
import { watchCircuits } from './sync/circuit-monitor';
import { Circuits } from './vendors/core/circuit';
import cron, { type ScheduledTask } from 'node-cron';
import type { EventEngine } from './sync/engine/types';
import { runJob } from './sync/jobs/run-job';
import { SCHEDULED, scheduleSyncJobs } from './sync/jobs/schedule';
import { buildPipeline } from './sync/pipeline';
import { sweepConsults } from './sync/sweeps';
import { Worker } from './sync/worker';

export interface RunningService {
  loaded: LoadedConfig;
  server: Server;
  store: Store;
  /** What processes the inbox: the Worker on SQLite, the pg-boss engine on PostgreSQL. */
  worker: EventEngine;
  clients: VendorClients;
  logger: Logger;
  port: number;
  url: string;
  stop(): Promise<void>;
}

/** The server's store: a SQLite file gets a thread of its own, so its statements and fsyncs never hold up the webhook door. */
function openServiceStore(databaseUrl: string): Store {
  const store = openStore(databaseUrl);
  if (store.kind !== 'sqlite') return store;
  const file = sqlitePathOf(databaseUrl);
  if (file === ':memory:') return store;
  void store.close();
  return ThreadedSqliteStore.open(file);
}

export function loggerFor(loaded: LoadedConfig): Logger {
  return createLogger({ level: loaded.config.log.level, format: loaded.config.log.format });
}

function announceConnections(loaded: LoadedConfig, logger: Logger): void {
  for (const c of loaded.connections) {
    if (!c.enabled) {
      const missing = [...c.missing, ...(c.webhookSecretMissing ? [c.webhookSecretMissing] : [])];
      logger.warn(`${c.vendor} connection "${c.id}" is disabled (webhooks answer 503): set ${missing.join(', ')}`, {
        vendor: c.vendor,
        connection: c.id,
      });
    } else if (c.webhookSecretMissing) {
      logger.warn(`${c.vendor} connection "${c.id}" refuses webhooks (503) until ${c.webhookSecretMissing} is set`, {
        vendor: c.vendor,
        connection: c.id,
      });
    } else {
      logger.info(`${c.vendor} connection "${c.id}" enabled; webhooks at ${c.webhookPath}`, { vendor: c.vendor, connection: c.id });
    }
  }
}

/**
 * What one process does: `web` answers webhooks (and health), `worker` processes the inbox and
 * runs the scheduled jobs, `all` both. Separate processes keep a busy worker from slowing the
 * door; on SQLite they share the database file (one worker process per file).
 */
export type ServiceRole = 'web' | 'worker' | 'all';
export const SERVICE_ROLES: readonly ServiceRole[] = ['web', 'worker', 'all'];

/** The whole service: store, vendor clients, worker and the HTTP server. */
export async function startService(
  loaded: LoadedConfig,
  options: {
    logger?: Logger;
    host?: string;
    role?: ServiceRole;
    /**
     * The clock the rules and the scheduled jobs judge by (SLA due times, consult windows). The
     * demo passes the sandboxes' movable clock; intake, leases and signatures keep real time.
     */
    now?: () => Date;
  } = {},
): Promise<RunningService> {
  const role = options.role ?? 'all';
  const logger = options.logger ?? loggerFor(loaded);
  const { config } = loaded;
  const store = openServiceStore(config.database.url);
  announceConnections(loaded, logger);
  // One registry per service: scrapes read inbox counts and cursors from this store.
  const metrics = new Metrics({ store, logger });
  // One breaker per vendor connection, shared by the worker and the scheduled jobs.
  const circuits = new Circuits(config.vendorHttp.circuit);
  const clients = new VendorClients(loaded.connections, config, logger, metrics, circuits);
  const { processor } = buildPipeline(loaded, store, clients, options.now);
  const works = role !== 'web' && config.worker.enabled;
  // PostgreSQL: pg-boss is the job engine. Every role starts it, because the inbox's enqueue
  // sends each new event's job in its own transaction; only worker roles work the queues.
  const pg = asPgStore(store);
  let worker: EventEngine;
  let pgEngine: PgBossEngine | null = null;
  if (pg) {
    let jobs: PgBossJobs;
    try {
      jobs = await PgBossJobs.start({ store: pg, logger, retry: config.worker, supervise: works, schema: config.database.jobSchema });
    } catch (err) {
      await store.close();
      throw err;
    }
    pgEngine = new PgBossEngine(jobs, pg, works ? processor : null, logger, { ...config.worker, circuits }, metrics);
    worker = pgEngine;
  } else worker = new Worker(store, processor, logger, { ...config.worker, circuits }, metrics);
  watchCircuits(circuits, { store, logger, metrics, holder: worker.id, onClosed: () => worker.wake() });
  const app = createApp({ loaded, store, logger, metrics, circuits, webhooks: role !== 'worker', onEnqueued: () => worker.wake() });

  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.server.port, options.host ?? '0.0.0.0');
    s.once('listening', () => resolve(s));
    s.once('error', reject);
  });
  // Vendors give up after about 10 s; a slow client must not hold a socket for ever.
  server.requestTimeout = 30_000;
  server.headersTimeout = 20_000;
  const port = (server.address() as AddressInfo).port;
  const jobs: ScheduledTask[] = [];
  const now = options.now ?? (() => new Date());
  const consultSweep = async () => {
    if ((await sweepConsults(store, now(), logger)) > 0) worker.wake();
  };
  if (role === 'web') logger.info('web role: events are stored here and processed by a worker process');
  else if (config.worker.enabled && pgEngine) {
    await pgEngine.start();
    // One instance at a time runs each (pg-boss's schedule and an exclusive queue per job).
    const syncDeps = { loaded, store, clients, logger, metrics, now, onEnqueued: () => worker.wake() };
    await pgEngine.schedule([
      { name: 'consult-sweep', cron: config.schedules.consultSweep, run: consultSweep },
      ...SCHEDULED.map(({ job, expression }) => ({
        name: job,
        cron: expression(loaded),
        run: async (signal: AbortSignal) => {
          await runJob(syncDeps, { job, signal });
        },
      })),
    ]);
  } else if (config.worker.enabled) {
    await worker.start();
    jobs.push(
      cron.schedule(config.schedules.consultSweep, async () => {
        try {
          await consultSweep();
        } catch (err) {
          logger.error('E3 consult sweep failed', { error: (err as Error).message });
        }
      }, { name: 'consult-sweep', noOverlap: true }),
    );
    // M6: poll and reconcile on their schedules; each page that queues events wakes the worker.
    jobs.push(...scheduleSyncJobs({ loaded, store, clients, logger, metrics, now, onEnqueued: () => worker.wake() }));
  } else logger.warn('worker disabled (worker.enabled=false): events are stored but not processed');
  logger.info('helpdesk-sync listening', { port, store: store.kind, role, engine: pgEngine ? 'pg-boss' : 'worker' });

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all(jobs.map((j) => j.stop()));
      await worker.stop();
      // This process's open circuits end with it: sync status should not show them.
      for (const c of circuits.open()) await store.clearCircuit(c.vendor, c.connectionId, worker.id).catch(() => undefined);
      await store.close();
      logger.info('helpdesk-sync stopped');
    })();
    return stopping;
  };
  return { loaded, server, store, worker, clients, logger, port, url: `http://127.0.0.1:${port}`, stop };
}
