import type { LoadedConfig } from '../config/load';
import type { Logger } from '../logging/logger';
import { openStore } from '../store/open-store';
import type { Store } from '../store/types';
import { asPgStore, PgBossJobs } from '../sync/engine/pg-boss-jobs';

export interface CliStore {
  store: Store;
  /** pg-boss (sending only) on PostgreSQL: what the CLI enqueues or replays gets its job too. */
  jobs: PgBossJobs | null;
  close(): Promise<void>;
}

/**
 * The store for a CLI command that writes to the inbox. On PostgreSQL every new event needs its
 * pg-boss job (a running server's workers only take jobs), so the store gets pg-boss's hooks.
 */
export async function openCliStore(loaded: LoadedConfig, logger: Logger): Promise<CliStore> {
  const store = openStore(loaded.config.database.url);
  const pg = asPgStore(store);
  let jobs: PgBossJobs | null = null;
  if (pg) {
    try {
      jobs = await PgBossJobs.start({ store: pg, logger, retry: loaded.config.worker, supervise: false, schema: loaded.config.database.jobSchema });
    } catch (err) {
      await store.close();
      throw err;
    }
  }
  return {
    store,
    jobs,
    async close() {
      if (jobs) await jobs.stop();
      await store.close();
    },
  };
}
