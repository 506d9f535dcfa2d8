import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LoadedConfig } from './config/load';
import { createApp } from './http/app';
import { createLogger, type Logger } from './logging/logger';
import { openStore } from './store/open-store';
import { sqlitePathOf } from './store/sqlite/sqlite-store';
import { ThreadedSqliteStore } from './store/sqlite/threaded-store';
import type { Store } from './store/types';
import { VendorClients } from './sync/clients';
import cron, { type ScheduledTask } from 'node-cron';
import { scheduleSyncJobs } from './sync/jobs/schedule';
import { buildPipeline } from './sync/pipeline';
import { sweepConsults } from './sync/sweeps';
import { Worker } from './sync/worker';

export interface RunningService {
  loaded: LoadedConfig;
  server: Server;
  store: Store;
  worker: Worker;
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
  options: { logger?: Logger; host?: string; role?: ServiceRole } = {},
): Promise<RunningService> {
  const role = options.role ?? 'all';
  const logger = options.logger ?? loggerFor(loaded);
  const { config } = loaded;
  const store = openServiceStore(config.database.url);
  announceConnections(loaded, logger);
  const clients = new VendorClients(loaded.connections, config, logger);
  const { processor } = buildPipeline(loaded, store, clients);
  const worker = new Worker(store, processor, logger, config.worker);
  const app = createApp({ loaded, store, logger, onEnqueued: () => worker.wake() });

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
  if (role === 'web') logger.info('web role: events are stored here and processed by a worker process');
  else if (config.worker.enabled) {
    await worker.start();
    jobs.push(
      cron.schedule(config.schedules.consultSweep, async () => {
        try {
          if ((await sweepConsults(store, new Date(), logger)) > 0) worker.wake();
        } catch (err) {
          logger.error('E3 consult sweep failed', { error: (err as Error).message });
        }
      }, { name: 'consult-sweep', noOverlap: true }),
    );
    // M6: poll and reconcile on their schedules; each page that queues events wakes the worker.
    jobs.push(...scheduleSyncJobs({ loaded, store, clients, logger, onEnqueued: () => worker.wake() }));
  } else logger.warn('worker disabled (worker.enabled=false): events are stored but not processed');
  logger.info('helpdesk-sync listening', { port, store: store.kind, role });

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all(jobs.map((j) => j.stop()));
      await worker.stop();
      await store.close();
      logger.info('helpdesk-sync stopped');
    })();
    return stopping;
  };
  return { loaded, server, store, worker, clients, logger, port, url: `http://127.0.0.1:${port}`, stop };
}
