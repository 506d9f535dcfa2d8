import type { LoadedConfig } from '../../config/load';
import type { HelpdeskVendor, Vendor } from '../../domain/ticket';
import type { Logger } from '../../logging/logger';
import type { Store } from '../../store/types';
import type { VendorClients } from '../clients';
import type { JobProgress } from './progress';

/** The scheduled jobs: M6's sync jobs and S2/S3's service-level check. */
export const JOB_NAMES = ['poll', 'reconcile', 'backfill', 'sla'] as const;
export type JobName = (typeof JOB_NAMES)[number];

/** What every job counts; jobs may add their own keys. */
export interface JobSummary {
  seen: number;
  changed: number;
  enqueued: number;
  errors: number;
  [key: string]: number;
}

export const emptySummary = (): JobSummary => ({ seen: 0, changed: 0, enqueued: 0, errors: 0 });

/** One connection's share of a run. */
export interface ConnectionSummary {
  vendor: Vendor;
  connectionId: string;
  pages: number;
  seen: number;
  changed: number;
  enqueued: number;
  /** Why this connection failed; the others still ran. */
  error: string | null;
}

export interface JobSelection {
  vendor?: Vendor;
  connectionId?: string;
}

export interface BackfillRequest extends JobSelection {
  /** Where history starts the first time; later runs resume from the saved cursor. */
  since?: Date;
  /** Ignore the saved cursor and start again from `since`. */
  restart?: boolean;
}

/** Everything a job needs, built once per run by runJob. */
export interface JobContext {
  loaded: LoadedConfig;
  store: Store;
  clients: VendorClients;
  logger: Logger;
  now: () => Date;
  progress: JobProgress;
  /** Aborted when the lock is lost or the process is stopping: jobs stop between pages. */
  signal: AbortSignal;
  /** The run's id in the store (reconcile keys its events by it). */
  runId: number;
  /** Events went into the inbox: a worker in this process can look at once. */
  onEnqueued: () => void;
}

export interface JobOutput {
  connections: ConnectionSummary[];
  /** Lines worth telling the person who started the run (resumed from a cursor, ...). */
  notes: string[];
  /** Counts that are not per connection (reconcile's pairs). */
  extra?: Record<string, number>;
}

export type HelpdeskOrJira = HelpdeskVendor | 'jira';
