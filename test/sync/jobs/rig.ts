import { stringify as stringifyYaml } from 'yaml';
import { loadConfig, type LoadedConfig } from '../../../src/config/load';
import type { EntityRef, Vendor } from '../../../src/domain/ticket';
import { createLogger } from '../../../src/logging/logger';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store';
import type { InboxEvent, Store } from '../../../src/store/types';
import { VendorClients } from '../../../src/sync/clients';
import { runJob, type JobDeps, type JobRequest, type JobResult } from '../../../src/sync/jobs/run-job';
import { configFile } from '../../e2e/stack';
import { fullEnv } from '../../helpers/env';

export const silent = createLogger({ level: 'silent' });

/** Retries fast, but a Retry-After of a few seconds is still honoured inside one call. */
export const JOBS_TEST_CONFIG = {
  vendorHttp: { retries: 3, minRetryDelayMs: 5, maxRetryDelayMs: 20, maxRetryAfterMs: 5000, timeoutMs: 5000 },
  jobs: { lockTtlSeconds: 600, pollOverlapSeconds: 120, firstPollLookbackMinutes: 60, backfillMaxPending: 100_000 },
};

export function jobsConfig(env: Record<string, string | undefined> = {}, overrides: Record<string, unknown> = {}): LoadedConfig {
  const yaml = stringifyYaml({ ...JOBS_TEST_CONFIG, ...overrides });
  return loadConfig({ env: { ...fullEnv(), DATABASE_URL: ':memory:', LOG_LEVEL: 'silent', CONFIG_FILE: configFile(yaml), ...env } });
}

export interface JobsRig {
  loaded: LoadedConfig;
  store: Store;
  clients: VendorClients;
  deps: JobDeps;
  run(request: JobRequest): Promise<JobResult>;
}

export function jobsRig(loaded: LoadedConfig, options: { store?: Store; now?: () => Date } = {}): JobsRig {
  const store = options.store ?? new SqliteStore(':memory:');
  const clients = new VendorClients(loaded.connections, loaded.config, silent);
  const deps: JobDeps = { loaded, store, clients, logger: silent, ...(options.now ? { now: options.now } : {}) };
  return { loaded, store, clients, deps, run: (request) => runJob(deps, request) };
}

export async function eventsOf(store: Store, vendor: Vendor, connectionId = 'default'): Promise<InboxEvent[]> {
  return store.listEvents({ vendor, connectionId, limit: 100_000 });
}

export async function link(store: Store, ticket: EntityRef, issue: { id: string; key: string }, jiraConnectionId = 'default'): Promise<void> {
  const now = new Date();
  await store.reserveLink(ticket, jiraConnectionId, now);
  await store.completeLink(ticket, { issueId: issue.id, issueKey: issue.key, kind: 'bug', missing: [] }, now);
}
