import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { secrets } from '../logging/redact';
import type { Vendor } from '../domain/ticket';
import {
  configSchema,
  type Config,
  type FreshdeskConnectionConfig,
  type JiraConnectionConfig,
  type ZendeskConnectionConfig,
} from './schema';

/** The package root: config/default.yaml sits beside src/ and dist/. */
export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');
export const DEFAULT_CONNECTION_ID = 'default';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;
type Json = Record<string, unknown>;

/** Environment names are a public interface: the README documents each one. */
const TOP_LEVEL_ENV: Array<[string, string[]]> = [
  ['PORT', ['server', 'port']],
  ['DATABASE_URL', ['database', 'url']],
  ['PGBOSS_SCHEMA', ['database', 'jobSchema']],
  ['LOG_LEVEL', ['log', 'level']],
  ['LOG_FORMAT', ['log', 'format']],
  ['METRICS_TOKEN', ['server', 'metricsToken']],
  ['AUDIT_TOKEN', ['audit', 'token']],
];

export const CONNECTION_ENV: Record<Vendor, Array<[string, string]>> = {
  freshdesk: [
    ['FRESHDESK_URL', 'url'],
    ['FRESHDESK_API_KEY', 'apiKey'],
    ['FRESHDESK_WEBHOOK_SECRET', 'webhookSecret'],
  ],
  zendesk: [
    ['ZENDESK_URL', 'url'],
    ['ZENDESK_EMAIL', 'email'],
    ['ZENDESK_API_TOKEN', 'apiToken'],
    ['ZENDESK_WEBHOOK_SECRET', 'webhookSecret'],
  ],
  jira: [
    ['JIRA_URL', 'url'],
    ['JIRA_EMAIL', 'email'],
    ['JIRA_API_TOKEN', 'apiToken'],
    ['JIRA_WEBHOOK_SECRET', 'webhookSecret'],
    ['JIRA_PROJECT_KEY', 'projectKey'],
  ],
};

/** Credentials a connection needs to call the vendor's API. */
const API_KEYS: Record<Vendor, string[]> = {
  freshdesk: ['url', 'apiKey'],
  zendesk: ['url', 'email', 'apiToken'],
  jira: ['url', 'email', 'apiToken'],
};

export type ConnectionSettings = FreshdeskConnectionConfig | ZendeskConnectionConfig | JiraConnectionConfig;

export interface ResolvedConnection<S extends ConnectionSettings = ConnectionSettings> {
  vendor: Vendor;
  id: string;
  webhookPath: string;
  /** Can call the vendor's API (URL and credentials present). */
  enabled: boolean;
  /** Why not, in the names a user sets (environment variables for the default connection). */
  missing: string[];
  /** Webhooks are accepted only with a secret to verify them by. */
  webhookSecretMissing: string | null;
  settings: S;
}

export interface LoadedConfig {
  config: Config;
  connections: ResolvedConnection[];
  /** Files read, in merge order, for check-config. */
  sources: string[];
}

function isPlainObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepMerge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? deepMerge(out[k] as Json, v) : v;
  }
  return out;
}

/** ${NAME} in YAML strings pulls from the environment; unset becomes '' (absent). */
function interpolate(value: unknown, env: Env): unknown {
  if (typeof value === 'string') return value.replace(/\$\{([A-Z0-9_]+)\}/g, (_, name: string) => env[name] ?? '');
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env));
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env)]));
  return value;
}

function readYaml(file: string): Json {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`Cannot read configuration file ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`Configuration file ${file} is not valid YAML: ${(err as Error).message}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isPlainObject(parsed)) throw new ConfigError(`Configuration file ${file} must hold a mapping at the top level`);
  return parsed;
}

function setPath(target: Json, keys: string[], value: unknown): void {
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (!isPlainObject(node[key])) node[key] = {};
    node = node[key] as Json;
  }
  node[keys[keys.length - 1] as string] = value;
}

function describeReceived(value: unknown, isSecret: boolean): string {
  if (value === undefined) return 'nothing';
  if (isSecret) return 'a value (hidden)';
  // A mapping or list may hold secrets under other keys: describe it, never print it.
  if (Array.isArray(value)) return 'a list';
  if (isPlainObject(value)) return 'a mapping';
  return JSON.stringify(value);
}

function getPath(obj: unknown, keys: PropertyKey[]): unknown {
  let node: unknown = obj;
  for (const k of keys) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[k];
  }
  return node;
}

function formatIssues(error: z.ZodError, raw: Json, envOfPath: Map<string, string>): string {
  const lines = error.issues.map((issue) => {
    const key = issue.path.join('.');
    const env = envOfPath.get(key);
    const name = env ? `${env} (${key})` : key;
    const secret = /secret|token|apikey/i.test(key);
    return `- ${name}: ${issue.message}; got ${describeReceived(getPath(raw, issue.path), secret)}`;
  });
  return `Invalid configuration:\n${lines.join('\n')}`;
}

function connectionDefaults(raw: Json, env: Env, envOfPath: Map<string, string>): void {
  const connections = (isPlainObject(raw.connections) ? raw.connections : {}) as Json;
  for (const vendor of Object.keys(CONNECTION_ENV) as Vendor[]) {
    // Not a list (a mapping, say): leave it for the schema to refuse rather than drop it.
    if (connections[vendor] !== undefined && connections[vendor] !== null && !Array.isArray(connections[vendor])) continue;
    const list = Array.isArray(connections[vendor]) ? [...(connections[vendor] as unknown[])] : [];
    let index = list.findIndex((c) => isPlainObject(c) && c.id === DEFAULT_CONNECTION_ID);
    if (index < 0) {
      list.unshift({ id: DEFAULT_CONNECTION_ID });
      index = 0;
    }
    const entry = { ...(list[index] as Json) };
    for (const [name, key] of CONNECTION_ENV[vendor]) {
      if (env[name] !== undefined) entry[key] = env[name];
      envOfPath.set(`connections.${vendor}.${index}.${key}`, name);
    }
    list[index] = entry;
    connections[vendor] = list;
  }
  raw.connections = connections;
}

function resolveConnections(config: Config): ResolvedConnection[] {
  const out: ResolvedConnection[] = [];
  const seenPaths = new Map<string, string>();
  for (const vendor of Object.keys(CONNECTION_ENV) as Vendor[]) {
    const ids = new Set<string>();
    for (const settings of config.connections[vendor] as ConnectionSettings[]) {
      if (ids.has(settings.id)) throw new ConfigError(`Invalid configuration: connections.${vendor} declares id "${settings.id}" twice`);
      ids.add(settings.id);
      const isDefault = settings.id === DEFAULT_CONNECTION_ID;
      const userName = (key: string) =>
        isDefault ? (CONNECTION_ENV[vendor].find(([, k]) => k === key)?.[0] ?? key) : `connections.${vendor}[${settings.id}].${key}`;
      const values = settings as unknown as Record<string, unknown>;
      const missing = API_KEYS[vendor].filter((k) => values[k] === undefined).map(userName);
      const webhookPath = settings.webhookPath ?? `/webhooks/${vendor}/${settings.id}`;
      const clash = seenPaths.get(webhookPath);
      if (clash) throw new ConfigError(`Invalid configuration: webhook path ${webhookPath} is used by both ${clash} and ${vendor}/${settings.id}`);
      seenPaths.set(webhookPath, `${vendor}/${settings.id}`);
      out.push({
        vendor,
        id: settings.id,
        webhookPath,
        enabled: missing.length === 0,
        missing,
        webhookSecretMissing: settings.webhookSecret === undefined ? userName('webhookSecret') : null,
        settings,
      });
    }
  }
  return out;
}

function registerSecrets(config: Config): void {
  if (config.server.metricsToken) secrets.add(config.server.metricsToken);
  if (config.audit.token) secrets.add(config.audit.token);
  for (const list of Object.values(config.connections)) {
    for (const c of list as ConnectionSettings[]) {
      const v = c as unknown as Record<string, unknown>;
      for (const key of ['apiKey', 'apiToken', 'webhookSecret']) {
        if (typeof v[key] === 'string') secrets.add(v[key] as string);
      }
    }
  }
}

export interface LoadOptions {
  env?: Env;
}

/**
 * The only reader of the environment: defaults, then CONFIG_FILE, then environment variables,
 * validated as a whole. Anything wrong stops here with the key, what is expected and what came.
 */
export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const defaultsFile = path.join(PACKAGE_ROOT, 'config', 'default.yaml');
  const sources = [defaultsFile];
  let raw = readYaml(defaultsFile);
  // One file, or several joined with ':' (';' on Windows) like PATH, merged in order.
  for (const extra of (env.CONFIG_FILE ?? '').split(path.delimiter).map((f) => f.trim()).filter(Boolean)) {
    const file = path.resolve(extra);
    if (!existsSync(file)) throw new ConfigError(`CONFIG_FILE points at ${file}, which does not exist`);
    raw = deepMerge(raw, readYaml(file));
    sources.push(file);
  }
  raw = interpolate(raw, env) as Json;
  if (raw.log && isPlainObject(raw.log) && raw.log.format === undefined && env.NODE_ENV === 'production') {
    raw.log.format = 'json';
  }
  const envOfPath = new Map<string, string>();
  for (const [name, keys] of TOP_LEVEL_ENV) {
    envOfPath.set(keys.join('.'), name);
    const value = env[name];
    if (value !== undefined && value !== '') setPath(raw, keys, value);
  }
  connectionDefaults(raw, env, envOfPath);
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(formatIssues(parsed.error, raw, envOfPath));
  registerSecrets(parsed.data);
  return { config: parsed.data, connections: resolveConnections(parsed.data), sources };
}

export function findConnection(connections: ResolvedConnection[], vendor: Vendor, id: string): ResolvedConnection | undefined {
  return connections.find((c) => c.vendor === vendor && c.id === id);
}
