import path from 'node:path';
import { CONNECTION_ENV, DEFAULT_CONNECTION_ID, type LoadedConfig, type ResolvedConnection } from '../config/load';
import type { FreshdeskConnectionConfig, JiraConnectionConfig, ZendeskConnectionConfig } from '../config/schema';
import type { Vendor } from '../domain/ticket';
import { createLogger, type Logger } from '../logging/logger';
import { openStore, redactDatabaseUrl, type OpenStoreOptions } from '../store/open-store';
import { sqlitePathOf } from '../store/sqlite/sqlite-store';
import type { Store } from '../store/types';
import { isVendorApiError } from '../vendors/core/errors';
import type { RetryPolicy } from '../vendors/core/http-client';
import { FreshdeskClient } from '../vendors/freshdesk/client';
import { JiraClient } from '../vendors/jira/client';
import type { VendorClientOptions } from '../vendors/types';
import { ZendeskClient } from '../vendors/zendesk/client';

export interface CheckConfigOptions {
  /** Also fail when a configured connection is disabled, or no helpdesk connection is enabled. */
  strict?: boolean;
  /** Call each enabled connection's who-am-I endpoint to prove its credentials. */
  online?: boolean;
}

export interface Identity {
  id: string;
  name: string | null;
  email: string | null;
}

export interface CheckConfigIo {
  /** One line of what a person reads. */
  write(line: string): void;
  /** The configuration; a ConfigError thrown here is the caller's to report (exit 2). */
  load(): LoadedConfig;
  openStore?(databaseUrl: string, options: OpenStoreOptions): Store;
  /** Who a connection's credentials belong to (default: the vendor client's whoAmI). */
  whoAmI?(connection: ResolvedConnection, loaded: LoadedConfig): Promise<Identity>;
}

/** The exit status of check-config: 0 when everything checked holds, 2 otherwise. */
export type CheckConfigStatus = 0 | 2;

const CREDENTIALS: Record<Vendor, string[]> = {
  freshdesk: ['apiKey'],
  zendesk: ['email', 'apiToken'],
  jira: ['email', 'apiToken'],
};

/** A setting of a connection, in the name a user sets: the variable of a default connection, else the YAML key. */
function settingName(c: ResolvedConnection, key: string): string {
  const env = c.id === DEFAULT_CONNECTION_ID ? CONNECTION_ENV[c.vendor].find(([, k]) => k === key)?.[0] : undefined;
  return env ?? `connections.${c.vendor}[${c.id}].${key}`;
}

/** Declared in YAML, or a default connection with anything set: not merely the placeholder every vendor has. */
export function isConfigured(c: ResolvedConnection): boolean {
  if (c.id !== DEFAULT_CONNECTION_ID) return true;
  return Object.entries(c.settings).some(([k, v]) => k !== 'id' && k !== 'customStatuses' && v !== undefined);
}

export function connectionState(c: ResolvedConnection): string {
  if (!c.enabled) return `disabled (missing ${c.missing.join(', ')})`;
  if (c.webhookSecretMissing) return `API enabled; webhooks refused until ${c.webhookSecretMissing} is set`;
  return `enabled; webhooks at ${c.webhookPath}`;
}

function baseUrlOf(c: ResolvedConnection): string {
  return (c.settings as { url?: string }).url ?? '';
}

/** A failed who-am-I call in words: refused credentials, unreachable host, wrong base URL. */
export function describeFailure(err: unknown, c: ResolvedConnection, timeoutMs: number): string {
  if (!isVendorApiError(err)) return `failed: ${err instanceof Error ? err.message : String(err)}`;
  const said = err.vendorMessage ? ` (${err.vendorMessage})` : '';
  const url = baseUrlOf(c);
  if (err.status === 401 || err.status === 403) {
    return `failed: ${err.status}, the credentials were refused${said}; check ${CREDENTIALS[c.vendor].map((k) => settingName(c, k)).join(' and ')}`;
  }
  if (err.status === 404) return `failed: 404 at ${url}${said}; is ${settingName(c, 'url')} the account's base URL?`;
  if (err.kind === 'network') return `failed: unreachable (${err.vendorMessage || 'network error'}) at ${url}; check ${settingName(c, 'url')}`;
  if (err.kind === 'timeout') return `failed: no answer from ${url} within ${timeoutMs} ms`;
  if (err.status !== null) return `failed: ${err.status}${said}`;
  return `failed: ${err.message}`;
}

/** The vendor client of a connection, for one call: no retries, no circuit. */
function clientWhoAmI(logger: Logger) {
  return (c: ResolvedConnection, loaded: LoadedConfig): Promise<Identity> => {
    const http = loaded.config.vendorHttp;
    const retry: RetryPolicy = { retries: 0, minDelayMs: http.minRetryDelayMs, maxDelayMs: http.maxRetryDelayMs, maxRetryAfterMs: 0 };
    const base = (url: string | undefined): VendorClientOptions => ({ connectionId: c.id, baseUrl: url as string, timeoutMs: http.timeoutMs, retry, logger });
    if (c.vendor === 'freshdesk') {
      const s = c.settings as FreshdeskConnectionConfig;
      return new FreshdeskClient({ ...base(s.url), apiKey: s.apiKey as string }).whoAmI();
    }
    if (c.vendor === 'zendesk') {
      const s = c.settings as ZendeskConnectionConfig;
      return new ZendeskClient({ ...base(s.url), email: s.email as string, apiToken: s.apiToken as string }).whoAmI();
    }
    const s = c.settings as JiraConnectionConfig;
    return new JiraClient({ ...base(s.url), email: s.email as string, apiToken: s.apiToken as string }).whoAmI();
  };
}

function identityText(who: Identity): string {
  const name = who.name ?? '(no name)';
  return `${name}${who.email ? ` <${who.email}>` : ''}, id ${who.id}`;
}

async function checkStore(loaded: LoadedConfig, io: CheckConfigIo, problems: string[]): Promise<void> {
  const url = loaded.config.database.url;
  const open = io.openStore ?? openStore;
  let store: Store;
  try {
    // Opened as serve opens it (a new SQLite file is created and migrated), so what passes here opens there.
    store = open(url, { notice: (m) => io.write(`  ${m}`) });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    io.write(`Store: cannot be opened: ${message}`);
    problems.push(message);
    return;
  }
  try {
    const health = await store.health();
    const file = store.kind === 'sqlite' ? sqlitePathOf(url) : '';
    const where = store.kind === 'postgres' ? redactDatabaseUrl(url) : file === ':memory:' || path.resolve(file) === url ? url : `${url} (${path.resolve(file)})`;
    if (health.error) {
      const message = `DATABASE_URL ${where}: the ${store.kind} store cannot be used: ${health.error}`;
      io.write(`Store: ${store.kind}, ${where}: ${health.error}`);
      problems.push(message);
    } else {
      const version = `schema version ${health.schemaVersion}${health.ok ? ' (current)' : `, expected ${health.expectedVersion}`}`;
      io.write(`Store: ${store.kind}, ${where}, ${version}`);
      if (!health.ok) {
        problems.push(
          health.schemaVersion > health.expectedVersion
            ? `DATABASE_URL ${where}: the store's schema (version ${health.schemaVersion}) is newer than this helpdesk-sync knows (${health.expectedVersion}); run the newer release`
            : `DATABASE_URL ${where}: the store's schema is at version ${health.schemaVersion}, expected ${health.expectedVersion}`,
        );
      }
    }
  } finally {
    await store.close().catch(() => undefined);
  }
}

async function checkOnline(loaded: LoadedConfig, io: CheckConfigIo, problems: string[]): Promise<void> {
  const enabled = loaded.connections.filter((c) => c.enabled);
  io.write('Online check (who-am-I of each enabled connection):');
  if (!enabled.length) {
    io.write('  no enabled connection to call');
    return;
  }
  const whoAmI = io.whoAmI ?? clientWhoAmI(createLogger({ level: 'silent' }));
  const timeoutMs = loaded.config.vendorHttp.timeoutMs;
  // All at once: an unreachable host costs one timeout, not one per connection.
  const results = await Promise.allSettled(enabled.map((c) => whoAmI(c, loaded)));
  enabled.forEach((c, i) => {
    const result = results[i] as PromiseSettledResult<Identity>;
    const name = `${c.vendor}/${c.id}`;
    if (result.status === 'fulfilled') {
      io.write(`  ${name}: ok, signed in as ${identityText(result.value)}`);
      return;
    }
    const text = describeFailure(result.reason, c, timeoutMs);
    io.write(`  ${name}: ${text}`);
    problems.push(`${name}: ${text}`);
  });
}

/**
 * `helpdesk-sync check-config`: the configuration (a ConfigError is thrown to the caller), the
 * store DATABASE_URL names (opened as serve opens it: kind and schema version), each
 * connection's state; with `strict`, a configured but disabled connection or no enabled
 * helpdesk is a problem; with `online`, each enabled connection's credentials are proven by a
 * who-am-I call. Returns 2 when anything failed, 0 otherwise.
 */
export async function runCheckConfig(options: CheckConfigOptions, io: CheckConfigIo): Promise<CheckConfigStatus> {
  const loaded = io.load();
  const problems: string[] = [];
  io.write(`Configuration is valid (read ${loaded.sources.join(', ')}).`);
  io.write(`  port ${loaded.config.server.port}, log level ${loaded.config.log.level}`);
  for (const w of loaded.warnings) io.write(`  warning: ${w}`);

  await checkStore(loaded, io, problems);

  io.write('Connections:');
  for (const c of loaded.connections) io.write(`  ${c.vendor}/${c.id}: ${connectionState(c)}`);
  const helpdeskEnabled = loaded.connections.some((c) => c.enabled && c.vendor !== 'jira');
  const disabled = loaded.connections.filter((c) => !c.enabled && isConfigured(c));
  const notes: string[] = [];
  if (!helpdeskEnabled) notes.push('no helpdesk connection (Freshdesk or Zendesk) is enabled: helpdesk-sync has no tickets to work on');
  for (const c of disabled) notes.push(`${c.vendor}/${c.id} is configured but disabled: set ${c.missing.join(', ')}`);
  for (const note of notes) {
    if (options.strict) problems.push(note);
    else io.write(`  note: ${note} (--strict makes this an error)`);
  }

  if (options.online) await checkOnline(loaded, io, problems);

  if (!problems.length) {
    io.write('check-config: everything checked is in order.');
    return 0;
  }
  io.write(`check-config: ${problems.length} problem(s):`);
  for (const p of problems) io.write(`  - ${p}`);
  return 2;
}
