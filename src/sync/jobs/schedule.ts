import cron, { type ScheduledTask } from 'node-cron';
import type { LoadedConfig } from '../../config/load';
import type { Logger } from '../../logging/logger';
import type { MetricsRecorder } from '../../metrics/registry';
import type { Store } from '../../store/types';
import type { VendorClients } from '../clients';
import { runJob, type JobResult } from './run-job';
import type { JobName } from './types';

export interface ScheduleDeps {
  loaded: LoadedConfig;
  store: Store;
  clients: VendorClients;
  logger: Logger;
  /** Wakes the worker: called after each page that queued events. */
  onEnqueued: () => void;
  /** Job run counts and durations (passed on to runJob). */
  metrics?: MetricsRecorder;
  /** The clock jobs judge by (the demo's movable one); real time when absent. */
  now?: () => Date;
}

/** The jobs the server runs on a schedule; backfill runs only when asked (`sync run --job backfill`). */
export const SCHEDULED: ReadonlyArray<{ job: JobName; expression: (loaded: LoadedConfig) => string }> = [
  { job: 'poll', expression: (l) => l.config.schedules.poll },
  { job: 'reconcile', expression: (l) => l.config.schedules.reconcile },
  { job: 'sla', expression: (l) => l.config.schedules.sla },
];

/**
 * The scheduled jobs on node-cron: M6's poll (schedules.poll, every minute by default) and
 * reconcile (schedules.reconcile, hourly), and S2/S3's sla (schedules.sla, every five minutes). Each tick is one runJob: under the job's lock, so a
 * CLI run or another instance at the same moment makes this one skip; `noOverlap` keeps a slow
 * run from overlapping itself in this process. A failed run is logged and recorded, and the
 * next tick simply tries again; nothing is thrown out of the callback. stop() lets a run in
 * progress stop between pages and waits for it, so the store is not closed under it.
 */
export function scheduleSyncJobs(deps: ScheduleDeps): ScheduledTask[] {
  return SCHEDULED.map(({ job, expression }) => {
    const stopping = new AbortController();
    let running: Promise<JobResult | null> | null = null;
    const tick = async (): Promise<void> => {
      if (stopping.signal.aborted) return;
      running = runJob(deps, { job, signal: stopping.signal }).catch((err: unknown) => {
        deps.logger.error(`scheduled ${job} failed`, { job, error: err instanceof Error ? err.message : String(err) });
        return null;
      });
      await running;
      running = null;
    };
    const task = cron.schedule(expression(deps.loaded), tick, { name: `sync-${job}`, noOverlap: true });
    const stopTask = task.stop.bind(task);
    task.stop = async () => {
      await stopTask();
      stopping.abort(new Error('the server is stopping'));
      await running;
    };
    return task;
  });
}
