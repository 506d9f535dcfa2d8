import type { Command } from 'commander';
import type { LoadedConfig, ResolvedConnection } from '../config/load';
import { openStore } from '../store/open-store';
import type { CircuitRecord, CursorRow, DeadLetter, InboxCounts, Store, StoreHealth } from '../store/types';
import { asPgStore, PgBossJobs } from '../sync/engine/pg-boss-jobs';
import { backfillCursorName, formatDuration, pollCursorName } from '../sync/jobs/decide';
import { circuitLines, cliLogger, jobLines, jobQueueLines, queueJson, readSyncStatus, type SyncStatus } from './sync';

/**
 * `helpdesk-sync status [--json]`: one look at a running installation. The store (kind, schema
 * version against the one this build expects, reachable), the inbox by state, the dead letters,
 * each configured connection and its last successful vendor read, the jobs' last runs, and on
 * PostgreSQL pg-boss's queues. Exit status 1 when the store is unreachable or its schema is not
 * the expected one; everything that could be read is printed either way.
 *
 * The last successful vendor call of a connection: the store keeps no per-call record, and the
 * metrics live in the server's process. What it does keep is each connection's poll and backfill
 * cursor, written after every page read from the vendor's API (an idle poll writes it too): its
 * time is that connection's last successful read. Webhooks alone (no poll run yet) leave none.
 */

type Print = (line?: string) => void;

export interface StatusCommandDeps {
  load: () => LoadedConfig;
  print: Print;
  version: string;
}

export interface StoreReport {
  kind: Store['kind'];
  /** The database: a file path, or a PostgreSQL URL without its password. */
  location: string;
  reachable: boolean;
  schemaVersion: number | null;
  expectedVersion: number | null;
  upToDate: boolean;
  error?: string;
}

export interface ConnectionReport {
  vendor: string;
  id: string;
  enabled: boolean;
  /** What is missing for API calls (variables a user sets). */
  missing: string[];
  webhooks: { path: string; accepted: boolean; missingSecret: string | null };
  /** From the poll or backfill cursor: written after every page read from the vendor. */
  lastSuccessfulCall: { at: Date; via: 'poll' | 'backfill' } | null;
  /** Open circuits of this connection, one per process that has one. */
  circuits: CircuitRecord[];
}

export interface StatusReport {
  version: string;
  ok: boolean;
  store: StoreReport;
  inbox: InboxCounts | null;
  deadLetters: { open: number; replayed: number; discarded: number } | null;
  connections: ConnectionReport[];
  jobs: SyncStatus['runs'] | null;
  queue?: ReturnType<typeof queueJson> | { error: string };
}

/** A URL's password never shows. */
export function databaseLocation(url: string): string {
  if (!/^postgres(ql)?:\/\//i.test(url)) return url;
  try {
    const u = new URL(url);
    if (u.password) u.password = '****';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:****@');
  }
}

export function lastSuccessfulCall(cursors: readonly CursorRow[], vendor: string, connectionId: string): ConnectionReport['lastSuccessfulCall'] {
  let best: ConnectionReport['lastSuccessfulCall'] = null;
  for (const [via, name] of [['poll', pollCursorName(vendor, connectionId)], ['backfill', backfillCursorName(vendor, connectionId)]] as const) {
    const row = cursors.find((c) => c.name === name);
    if (row && (!best || row.updatedAt.getTime() > best.at.getTime())) best = { at: row.updatedAt, via };
  }
  return best;
}

function connectionReport(c: ResolvedConnection, sync: SyncStatus | null): ConnectionReport {
  return {
    vendor: c.vendor,
    id: c.id,
    enabled: c.enabled,
    missing: c.missing,
    webhooks: { path: c.webhookPath, accepted: c.webhookSecretMissing === null, missingSecret: c.webhookSecretMissing },
    lastSuccessfulCall: sync ? lastSuccessfulCall(sync.cursors, c.vendor, c.id) : null,
    circuits: sync ? sync.circuits.filter((r) => r.vendor === c.vendor && r.connectionId === c.id) : [],
  };
}

function deadLetterCounts(letters: readonly DeadLetter[]) {
  return {
    open: letters.filter((d) => d.state === 'open').length,
    replayed: letters.filter((d) => d.state === 'replayed').length,
    discarded: letters.filter((d) => d.state === 'discarded').length,
  };
}

/** Reads everything `status` shows; never throws for an unreachable store (it says so). */
export async function readStatus(loaded: LoadedConfig, version: string): Promise<{ report: StatusReport; sync: SyncStatus | null }> {
  const url = loaded.config.database.url;
  const kind: Store['kind'] = /^postgres(ql)?:\/\//i.test(url) ? 'postgres' : 'sqlite';
  const storeReport: StoreReport = { kind, location: databaseLocation(url), reachable: false, schemaVersion: null, expectedVersion: null, upToDate: false };
  const report: StatusReport = { version, ok: false, store: storeReport, inbox: null, deadLetters: null, connections: [], jobs: null };
  let store: Store | null = null;
  let jobs: PgBossJobs | null = null;
  let sync: SyncStatus | null = null;
  try {
    store = openStore(url);
    const health: StoreHealth = await store.health();
    storeReport.expectedVersion = health.expectedVersion;
    // health() reports a failure to read the schema table as an error: the store is not reachable.
    storeReport.reachable = !health.error;
    if (health.error) storeReport.error = health.error;
    else {
      storeReport.schemaVersion = health.schemaVersion;
      storeReport.upToDate = health.ok;
      report.inbox = await store.inboxCounts();
      report.deadLetters = deadLetterCounts(await store.listDeadLetters({ includeReplayed: true, includeDiscarded: true }));
      const pg = asPgStore(store);
      if (pg) {
        try {
          jobs = await PgBossJobs.start({ store: pg, logger: cliLogger(loaded), retry: loaded.config.worker, supervise: false, schema: loaded.config.database.jobSchema });
        } catch (err) {
          report.queue = { error: `pg-boss (schema ${loaded.config.database.jobSchema}): ${(err as Error).message}` };
        }
      }
      sync = await readSyncStatus(store, jobs);
      report.jobs = sync.runs;
      if (sync.queue) report.queue = queueJson(sync.queue);
    }
  } catch (err) {
    storeReport.reachable = false;
    storeReport.error = (err as Error).message || String(err);
  } finally {
    if (jobs) await jobs.stop().catch(() => undefined);
    if (store) await store.close().catch(() => undefined);
  }
  report.connections = loaded.connections.map((c) => connectionReport(c, sync));
  report.ok = storeReport.reachable && storeReport.upToDate;
  return { report, sync };
}

function connectionLine(c: ConnectionReport, now: Date): string {
  const api = c.enabled ? 'API enabled' : `disabled (missing ${c.missing.join(', ')})`;
  const hooks = c.webhooks.accepted ? `webhooks at ${c.webhooks.path}` : `webhooks refused until ${c.webhooks.missingSecret} is set`;
  const last = c.lastSuccessfulCall
    ? `last successful API read ${c.lastSuccessfulCall.at.toISOString()} (${c.lastSuccessfulCall.via}, ${formatDuration(Math.max(0, now.getTime() - c.lastSuccessfulCall.at.getTime()))} ago)`
    : c.enabled
      ? 'no successful API read recorded yet (each poll run records one)'
      : '';
  return `  ${`${c.vendor}/${c.id}`.padEnd(24)} ${[api, hooks, last].filter(Boolean).join('; ')}`;
}

export function statusLines(report: StatusReport, sync: SyncStatus | null, now: Date): string[] {
  const s = report.store;
  const lines = [`helpdesk-sync ${report.version}`];
  if (!s.reachable) lines.push(`Store: ${s.kind} ${s.location}: UNREACHABLE: ${s.error ?? 'no answer'}`);
  else {
    const schema = s.upToDate ? `schema ${s.schemaVersion} (as expected)` : `schema ${s.schemaVersion}, but this build expects ${s.expectedVersion}`;
    lines.push(`Store: ${s.kind} ${s.location}, reachable, ${schema}`);
  }
  if (report.inbox) {
    const i = report.inbox;
    lines.push(`Inbox: ${i.pending} pending, ${i.processing} processing, ${i.done} done, ${i.dead} dead`);
  }
  if (report.deadLetters) {
    const d = report.deadLetters;
    const more = [d.discarded ? `${d.discarded} discarded` : '', d.replayed ? `${d.replayed} replayed and not dead since` : ''].filter(Boolean).join(', ');
    lines.push(
      d.open
        ? `Dead letters: ${d.open} open${more ? ` (${more})` : ''}; \`dead-letters list\` lists them, \`dead-letters replay ID...|--all\` requeues`
        : `Dead letters: none open${more ? ` (${more})` : ''}`,
    );
  }
  lines.push('Connections:');
  if (!report.connections.length) lines.push('  none configured');
  for (const c of report.connections) lines.push(connectionLine(c, now));
  if (sync) {
    circuitLines(sync.circuits, now).forEach((l) => lines.push(l));
    jobLines(sync.runs, now).forEach((l) => lines.push(l));
    if (sync.queue) jobQueueLines(sync.queue).forEach((l) => lines.push(l));
  }
  if (report.queue && 'error' in report.queue) lines.push(`Job queue: ${report.queue.error}`);
  return lines;
}

export function registerStatusCommand(program: Command, deps: StatusCommandDeps): void {
  program
    .command('status')
    .description('the store, the inbox, dead letters, each connection and its last successful read, the jobs\' last runs (exit 1 if the store is unreachable or its schema is not the expected one)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const { report, sync } = await readStatus(deps.load(), deps.version);
      if (opts.json) deps.print(JSON.stringify(report, null, 2));
      else statusLines(report, sync, new Date()).forEach((l) => deps.print(l));
      if (!report.ok) {
        process.stderr.write(report.store.reachable ? `The store's schema is version ${report.store.schemaVersion}; this build expects ${report.store.expectedVersion}.\n` : `The store is unreachable: ${report.store.error ?? 'no answer'}\n`);
        process.exitCode = 1;
      }
    });
}
