/**
 * What test/reliability/faults.test.ts runs on: the real server (startService) over loopback
 * wired to the sandboxes, like test/e2e/stack.ts, with what that stack does not offer:
 * - fault hops (faults-proxy.ts) between helpdesk-sync and chosen vendors, and a recording hop
 *   in front of helpdesk-sync that keeps every webhook answer it gives;
 * - every log line of the service kept (debug level, JSON), for the secret checks;
 * - a store whose writes fail on command as on a full disk (SQLITE_FULL), with the service's
 *   pieces wired over it the way src/server.ts startService wires them.
 * TEST_E2E_STORE=postgres runs the startService stacks on PostgreSQL, as stack.ts does.
 */
import type { Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { loadConfig, type LoadedConfig } from '../../src/config/load';
import { createApp } from '../../src/http/app';
import { createLogger, type Logger } from '../../src/logging/logger';
import { Metrics } from '../../src/metrics/registry';
import { sandboxPolicyYaml } from '../../src/sandbox/policy-roles';
import { errorBody as freshdeskErrorBody } from '../../src/sandbox/freshdesk/errors';
import { jiraErrorBody } from '../../src/sandbox/jira/errors';
import { zendeskErrorBody } from '../../src/sandbox/zendesk/errors';
import { startSandboxes, type Sandboxes } from '../../src/sandbox/world';
import { startService, type RunningService } from '../../src/server';
import { ThreadedSqliteStore } from '../../src/store/sqlite/threaded-store';
import type { Store } from '../../src/store/types';
import { watchCircuits } from '../../src/sync/circuit-monitor';
import { VendorClients } from '../../src/sync/clients';
import { buildPipeline } from '../../src/sync/pipeline';
import type { EventProcessor } from '../../src/sync/processor';
import { Worker } from '../../src/sync/worker';
import { Circuits } from '../../src/vendors/core/circuit';
import { secretForms } from '../helpers/secret-forms';
import { configFile, dropSchemas, postgresDatabase } from '../e2e/stack';
import { FaultProxy, type FaultProxyOptions } from './faults-proxy';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---- logs

export interface CapturedLog {
  logger: Logger;
  /** Every line written so far (JSON, one per entry). */
  lines: string[];
}

/** A logger at debug level whose every line is kept, as the service would write them. */
export function capturingLogger(): CapturedLog {
  const lines: string[] = [];
  const stream = new PassThrough();
  let pending = '';
  stream.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    for (const line of parts) if (line.trim() !== '') lines.push(line);
  });
  return { logger: createLogger({ level: 'debug', format: 'json', stream }), lines };
}

/** Every spelling of the sandboxes' credentials and webhook secrets (as the service is configured with them). */
export function sandboxSecretForms(env: Record<string, string>): Map<string, string> {
  const secrets: Record<string, string> = {};
  for (const name of ['FRESHDESK_API_KEY', 'FRESHDESK_WEBHOOK_SECRET', 'ZENDESK_API_TOKEN', 'ZENDESK_WEBHOOK_SECRET', 'JIRA_API_TOKEN', 'JIRA_WEBHOOK_SECRET']) {
    const value = env[name];
    if (value) secrets[name] = value;
  }
  const forms = new Map<string, string>();
  // The Basic-auth spellings depend on the account's email: one set per email the clients use.
  for (const email of [env.ZENDESK_EMAIL, env.JIRA_EMAIL].filter((e): e is string => !!e)) {
    for (const [form, name] of secretForms(secrets, email)) forms.set(form, name);
  }
  return forms;
}

// ---- vendor error shapes the hops answer with

export const VENDOR_ERROR_BODIES = {
  freshdesk: (status: number, message: string) => freshdeskErrorBody(status, message),
  jira: (status: number, message: string) => jiraErrorBody([status === 429 ? 'Rate limit exceeded.' : status === 503 ? 'Service Unavailable: Jira is temporarily unavailable. Please try again later.' : message]),
  zendesk: (status: number, message: string) => zendeskErrorBody(status, status === 503 ? 'Zendesk is temporarily unavailable; please retry' : message),
} as const;

// ---- the startService stack

export type ProxiedVendor = 'freshdesk' | 'zendesk' | 'jira';

export interface FaultStack {
  sandboxes: Sandboxes;
  service: RunningService;
  /** The fault hop in front of each proxied vendor (helpdesk-sync calls it instead of the sandbox). */
  hops: Partial<Record<ProxiedVendor, FaultProxy>>;
  /** The recording hop in front of helpdesk-sync: every webhook answer it gave, with its body. */
  front: FaultProxy;
  log: CapturedLog;
  stop(): Promise<void>;
}

export interface FaultStackOptions {
  /** YAML merged over FAST_RECOVERY_YAML and the sandbox roles. */
  yaml: string;
  /** Vendors whose API helpdesk-sync reaches through a fault hop. */
  proxied: ProxiedVendor[];
  webhookRetryDelayMs?: number;
  retryAfterSeconds?: number;
  /** Which requests the hops' faults hit (all by default). */
  only?: FaultProxyOptions['only'];
}

const URL_ENV: Record<ProxiedVendor, string> = { freshdesk: 'FRESHDESK_URL', zendesk: 'ZENDESK_URL', jira: 'JIRA_URL' };

/** startStack of test/e2e/stack.ts, with fault hops, a recording front hop and kept logs. */
export async function startFaultStack(options: FaultStackOptions): Promise<FaultStack> {
  const sandboxes = await startSandboxes({ webhookRetryDelayMs: options.webhookRetryDelayMs ?? 20 });
  const hops: Partial<Record<ProxiedVendor, FaultProxy>> = {};
  let database: DatabaseEnv | null = null;
  let front: FaultProxy | null = null;
  try {
    const env: Record<string, string> = { ...sandboxes.env };
    for (const vendor of options.proxied) {
      const hop = new FaultProxy(sandboxes.urls[vendor], { errorBody: VENDOR_ERROR_BODIES[vendor], retryAfterSeconds: options.retryAfterSeconds, only: options.only });
      env[URL_ENV[vendor]] = await hop.start();
      hops[vendor] = hop;
    }
    const dir = mkdtempSync(path.join(tmpdir(), 'hs-faults-'));
    database = process.env.TEST_E2E_STORE === 'postgres' ? await postgresDatabase('hs_faults') : { DATABASE_URL: path.join(dir, 'helpdesk-sync.db') };
    const { schema: _schema, ...databaseEnv } = { schema: undefined, ...database };
    const files = [configFile(), configFile(sandboxPolicyYaml()), configFile(options.yaml)];
    const loaded = loadConfig({ env: { ...env, ...databaseEnv, PORT: '0', LOG_LEVEL: 'debug', CONFIG_FILE: files.join(path.delimiter) } });
    const log = capturingLogger();
    const service = await startService(loaded, { logger: log.logger, host: '127.0.0.1' });
    front = new FaultProxy(service.url, { recordBodies: true });
    sandboxes.connect(await front.start());
    const theFront = front;
    const theDatabase = database;
    return {
      sandboxes,
      service,
      hops,
      front,
      log,
      async stop() {
        sandboxes.connect(null);
        try {
          await service.stop();
        } finally {
          await theFront.close();
          for (const hop of Object.values(hops)) await hop?.close();
          await sandboxes.close();
          if ('schema' in theDatabase) await dropSchemas([theDatabase.schema, theDatabase.PGBOSS_SCHEMA]);
        }
      },
    };
  } catch (err) {
    await front?.close();
    for (const hop of Object.values(hops)) await hop?.close();
    await sandboxes.close();
    if (database && 'schema' in database) await dropSchemas([database.schema, database.PGBOSS_SCHEMA]).catch(() => undefined);
    throw err;
  }
}

type DatabaseEnv = { DATABASE_URL: string } | { DATABASE_URL: string; PGBOSS_SCHEMA: string; schema: string };

// ---- a store whose writes fail on command

/** What better-sqlite3 throws when the disk is full. */
export class DiskFullError extends Error {
  readonly code = 'SQLITE_FULL';
  constructor() {
    super('database or disk is full');
    this.name = 'SqliteError';
  }
}

/** Every Store method that writes (claimNext leases a row, so it writes too). */
export const WRITE_METHODS = [
  'enqueue',
  'claimNext',
  'complete',
  'coalesce',
  'fail',
  'deadLetter',
  'requeueInterrupted',
  'replayDeadLetters',
  'saveSnapshot',
  'reserveLink',
  'completeLink',
  'setLinkMissing',
  'releaseLink',
  'setOwner',
  'appendHandoff',
  'recordDecision',
  'recordExecutedAction',
  'finishExecutedAction',
  'forgetExecutedAction',
  'acquireLock',
  'releaseLock',
  'startJobRun',
  'finishJobRun',
  'saveCircuit',
  'clearCircuit',
  'setCursor',
] as const satisfies ReadonlyArray<keyof Store>;

export interface FullDisk {
  store: Store;
  /** While true every write throws SQLITE_FULL; reads go on. */
  full: boolean;
  /** Writes refused so far, by method. */
  refused: Record<string, number>;
}

/** Wraps a store: its writes throw DiskFullError while `full` is set. */
export function fullDiskStore(inner: Store): FullDisk {
  const control: FullDisk = { store: inner, full: false, refused: {} };
  const writes = new Set<string>(WRITE_METHODS);
  control.store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof prop !== 'string' || typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (!writes.has(prop)) return fn.bind(target);
      return async (...args: unknown[]) => {
        if (control.full) {
          control.refused[prop] = (control.refused[prop] ?? 0) + 1;
          throw new DiskFullError();
        }
        return fn.apply(target, args);
      };
    },
  });
  return control;
}

export interface WiredService {
  store: Store;
  worker: Worker;
  processor: EventProcessor;
  circuits: Circuits;
  url: string;
  stop(): Promise<void>;
}

/**
 * The pieces of src/server.ts startService (SQLite: the Worker), wired over a given store:
 * circuits, vendor clients, pipeline, worker, circuit monitor, app. No scheduled jobs (the
 * tests' config puts them out of reach anyway). `wrapProcessor` lets a test watch processing.
 */
export async function startWiredService(
  loaded: LoadedConfig,
  store: Store,
  logger: Logger,
  options: { wrapProcessor?: (processor: EventProcessor) => EventProcessor } = {},
): Promise<WiredService> {
  const { config } = loaded;
  const metrics = new Metrics({ store, logger });
  const circuits = new Circuits(config.vendorHttp.circuit);
  const clients = new VendorClients(loaded.connections, config, logger, metrics, circuits);
  const built = buildPipeline(loaded, store, clients).processor;
  const processor = options.wrapProcessor ? options.wrapProcessor(built) : built;
  const worker = new Worker(store, processor, logger, { ...config.worker, circuits }, metrics);
  watchCircuits(circuits, { store, logger, metrics, holder: worker.id, onClosed: () => worker.wake() });
  const app = createApp({ loaded, store, logger, metrics, circuits, webhooks: true, onEnqueued: () => worker.wake() });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1');
    s.once('listening', () => resolve(s));
    s.once('error', reject);
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 20_000;
  await worker.start();
  const port = (server.address() as AddressInfo).port;
  let stopping: Promise<void> | null = null;
  return {
    store,
    worker,
    processor,
    circuits,
    url: `http://127.0.0.1:${port}`,
    stop() {
      stopping ??= (async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await worker.stop();
        for (const c of circuits.open()) await store.clearCircuit(c.vendor, c.connectionId, worker.id).catch(() => undefined);
        await store.close();
      })();
      return stopping;
    },
  };
}

/** A SQLite file store on its own thread, as `serve` opens it. */
export function threadedSqliteStore(): Store {
  const dir = mkdtempSync(path.join(tmpdir(), 'hs-faults-disk-'));
  return ThreadedSqliteStore.open(path.join(dir, 'helpdesk-sync.db'));
}
