import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { distance } from 'fastest-levenshtein';
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
  /**
   * What loaded but deserves a word: an optional key whose ${VAR} is not set (left unset).
   * check-config prints them; a server should log them at start.
   */
  warnings: string[];
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

// ---- The schema as a map of keys: unknown keys and optional keys of the YAML files.

/** The parts of a zod 4 schema's definition this walk reads (zod's own `_zod.def`). */
interface SchemaDef {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  valueType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
  getter?: () => z.ZodType;
  values?: unknown[];
}

const defOf = (schema: z.ZodType): SchemaDef => (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;

/** A key may be left out: the schema has a default for it, or it is optional. */
function acceptsAbsent(schema: z.ZodType | undefined): boolean {
  if (!schema) return false;
  const optin = (schema as unknown as { _zod: { optin?: string } })._zod.optin;
  return optin === 'optional' || optin === 'defaulted';
}

/** The structural schema under optional, default, nullable, pipes and transforms. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (let i = 0; i < 32; i++) {
    const def = defOf(s);
    if (def.innerType && ['optional', 'default', 'prefault', 'nullable', 'nonoptional', 'readonly', 'catch', 'success'].includes(def.type)) s = def.innerType;
    else if (def.type === 'pipe' && def.in && def.out) s = defOf(unwrap(def.in)).type === 'transform' ? def.out : def.in;
    else if (def.type === 'lazy' && def.getter) s = def.getter();
    else break;
  }
  return s;
}

/** The keys of an object schema, or null for anything that is not an object with fixed keys. */
function fixedKeys(schema: z.ZodType): Record<string, z.ZodType> | null {
  const def = defOf(schema);
  if (def.type !== 'object' || !def.shape) return null;
  // A catch-all (z.looseObject, .catchall()) takes any key.
  if (def.catchall && defOf(def.catchall).type !== 'never') return null;
  return def.shape;
}

/** Where a key is, as a person reads it: worker.concurrency, connections.zendesk[partner-b].apiToken. */
function displayPath(segments: string[]): string {
  return segments.reduce((out, s) => (s.startsWith('[') ? `${out}${s}` : out ? `${out}.${s}` : s), '');
}

/** A list item by its id where it has one (connections), else by its place in the file. */
function itemLabel(item: unknown, index: number): string {
  return isPlainObject(item) && (typeof item.id === 'string' || typeof item.id === 'number') ? `[${String(item.id)}]` : `[${index}]`;
}

let knownPathsCache: Array<{ leaf: string; path: string }> | null = null;

/** Every fixed key of the schema with its path; user-named record keys show as <name>. */
function knownPaths(): Array<{ leaf: string; path: string }> {
  if (knownPathsCache) return knownPathsCache;
  const out: Array<{ leaf: string; path: string }> = [];
  const visit = (schema: z.ZodType, segments: string[], depth: number): void => {
    if (depth > 12) return;
    const s = unwrap(schema);
    const def = defOf(s);
    const keys = fixedKeys(s);
    if (keys) {
      for (const [key, child] of Object.entries(keys)) {
        out.push({ leaf: key, path: displayPath([...segments, key]) });
        visit(child, [...segments, key], depth + 1);
      }
    } else if (def.type === 'record' && def.valueType) visit(def.valueType, [...segments, '<name>'], depth + 1);
    else if (def.type === 'array' && def.element) visit(def.element, [...segments, '[]'], depth + 1);
    else if (def.type === 'union') for (const option of def.options ?? []) visit(option, segments, depth + 1);
  };
  visit(configSchema, [], 0);
  knownPathsCache = out;
  return out;
}

/** "did you mean worker.concurrency?", or the keys that are allowed here. */
function suggestion(key: string, segments: string[], siblings: string[]): string {
  const lower = key.toLowerCase();
  let best: { name: string; d: number } | null = null;
  for (const name of siblings) {
    const d = distance(lower, name.toLowerCase());
    if (!best || d < best.d) best = { name, d };
  }
  if (best && best.d <= Math.max(1, Math.floor(key.length / 3))) return `did you mean ${displayPath([...segments, best.name])}?`;
  // The right key in the wrong place: `concurrency` at the top level is worker.concurrency.
  const elsewhere = knownPaths().filter((p) => p.leaf.toLowerCase() === lower).map((p) => p.path);
  if (elsewhere.length) return `did you mean ${elsewhere.slice(0, 3).join(' or ')}?`;
  return siblings.length ? `expected one of ${siblings.join(', ')}` : 'no keys are allowed here';
}

const VAR = /\$\{([A-Z0-9_]+)\}/g;
/** A value the walk drops from its file: an optional key whose ${VAR} is not set. */
const DROP = Symbol('drop');

interface FileCheck {
  file: string;
  env: Env;
  /** The files merged before this one: a key left out of this file keeps their value. */
  base: Json;
  /** Unknown keys and unset variables of required keys. */
  problems: string[];
  warnings: string[];
  /** Display path of a key left unset -> the variables it named (for a connection's "missing"). */
  unset: Map<string, string[]>;
}

/** The set environment variable that gives this key of a default connection its value, if any. */
function defaultConnectionEnv(segments: string[], env: Env): string | undefined {
  const [root, vendor, item, key] = segments;
  if (root !== 'connections' || segments.length !== 4 || item !== `[${DEFAULT_CONNECTION_ID}]`) return undefined;
  const name = CONNECTION_ENV[vendor as Vendor]?.find(([, k]) => k === key)?.[0];
  return name && env[name] ? name : undefined;
}

/** What an unset credential or secret of a connection means for that connection. */
function consequence(segments: string[]): string {
  const [root, vendor, item, key] = segments;
  if (root !== 'connections' || segments.length !== 4 || !vendor || !item || !key) return '';
  const name = `${vendor}/${item.slice(1, -1)}`;
  if (key === 'webhookSecret') return `: ${name} refuses webhooks (503) until it is set`;
  if ((API_KEYS as Record<string, string[]>)[vendor]?.includes(key)) return `: ${name} stays disabled until it is set`;
  return '';
}

/**
 * One file's values against the schema: unknown keys are problems (with the closest known
 * key); ${VAR} is replaced from the environment. A variable that is not set (or empty) is a
 * problem where the key is required, and a warning where it is optional: the key is then left
 * out of this file, so a default (or an earlier file's value) applies, never an empty string.
 * Keys of records (statusMap, calendars, targets, roles...) are the user's own names; their
 * values are checked like any other.
 */
function checkValue(value: unknown, schema: z.ZodType | undefined, segments: string[], check: FileCheck): unknown {
  if (typeof value === 'string') return interpolateString(value, schema, segments, check);
  const s = schema ? unwrap(schema) : undefined;
  const def = s ? defOf(s) : undefined;
  if (def?.type === 'union') return checkUnion(value, def, segments, check);
  if (Array.isArray(value)) {
    const element = def?.type === 'array' ? def.element : undefined;
    return value.map((item, i) => checkValue(item, element, [...segments, itemLabel(item, i)], check)).filter((v) => v !== DROP);
  }
  if (!isPlainObject(value)) return value;
  if (def?.type === 'record') {
    const valueType = def.valueType;
    return objectOf(value, () => valueType, segments, check);
  }
  const keys = s ? fixedKeys(s) : null;
  if (keys) return objectOf(value, (key) => keys[key], segments, check, Object.keys(keys));
  // A mapping where the schema has no fixed keys (a catch-all, or a wrong type the schema
  // refuses later): its strings are still interpolated.
  const shape = def?.type === 'object' ? def.shape : undefined;
  return objectOf(value, (key) => shape?.[key], segments, check);
}

/** A mapping's entries, checked; `known` (an object's keys) makes any other key a problem. */
function objectOf(value: Json, schemaOf: (key: string) => z.ZodType | undefined, segments: string[], check: FileCheck, known?: string[]): Json {
  const out: Json = {};
  for (const [key, child] of Object.entries(value)) {
    if (known && !known.includes(key)) {
      check.problems.push(`unknown key ${displayPath([...segments, key])} in ${check.file}: ${suggestion(key, segments, known)}`);
      out[key] = child;
      continue;
    }
    const next = checkValue(child, schemaOf(key), [...segments, key], check);
    if (next !== DROP) out[key] = next;
  }
  return out;
}

/** A union of objects (keyStorage): the option its discriminator names, else any option's keys. */
function checkUnion(value: unknown, def: SchemaDef, segments: string[], check: FileCheck): unknown {
  const options = (def.options ?? []).map(unwrap);
  if (Array.isArray(value)) {
    const list = options.find((o) => defOf(o).type === 'array');
    return list ? checkValue(value, list, segments, check) : value;
  }
  if (!isPlainObject(value)) return value;
  const objects = options.filter((o) => fixedKeys(o));
  if (!objects.length) return value;
  if (def.discriminator) {
    const chosen = objects.find((o) => {
      const tag = fixedKeys(o)?.[def.discriminator as string];
      return tag !== undefined && (defOf(unwrap(tag)).values ?? []).includes(value[def.discriminator as string]);
    });
    if (chosen) return checkValue(value, chosen, segments, check);
  }
  const known = [...new Set(objects.flatMap((o) => Object.keys(fixedKeys(o) ?? {})))];
  return objectOf(value, (key) => objects.map((o) => fixedKeys(o)?.[key]).find(Boolean), segments, check, known);
}

function interpolateString(value: string, schema: z.ZodType | undefined, segments: string[], check: FileCheck): unknown {
  const unset = [...value.matchAll(VAR)].map((m) => m[1] as string).filter((name) => check.env[name] === undefined || check.env[name] === '');
  if (!unset.length) return value.replace(VAR, (_, name: string) => check.env[name] as string);
  const names = [...new Set(unset)];
  const key = displayPath(segments);
  const what = names.map((n) => `${n} ${check.env[n] === '' ? 'is empty' : 'is not set'}`).join(', ');
  const where = `(used by ${key} in ${check.file})`;
  if (acceptsAbsent(schema)) {
    // A default connection's own environment variable (ZENDESK_API_TOKEN) replaces the value anyway.
    if (defaultConnectionEnv(segments, check.env)) return DROP;
    // deepMerge replaces lists whole: a key inside a list item has no earlier value.
    const earlier = segments.some((seg) => seg.startsWith('[')) ? undefined : getPath(check.base, segments);
    const outcome = earlier === undefined ? `the key is optional and stays unset${consequence(segments)}` : 'the key is optional: the value of an earlier file applies';
    check.warnings.push(`environment variable ${what} ${where}; ${outcome}`);
    check.unset.set(key, names);
    return DROP;
  }
  check.problems.push(`environment variable ${what} ${where}`);
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

/** `unset`: keys left unset because their ${VAR} was not, by display path, with the variables. */
function resolveConnections(config: Config, unset: Map<string, string[]> = new Map()): ResolvedConnection[] {
  const out: ResolvedConnection[] = [];
  const seenPaths = new Map<string, string>();
  for (const vendor of Object.keys(CONNECTION_ENV) as Vendor[]) {
    const ids = new Set<string>();
    for (const settings of config.connections[vendor] as ConnectionSettings[]) {
      if (ids.has(settings.id)) throw new ConfigError(`Invalid configuration: connections.${vendor} declares id "${settings.id}" twice`);
      ids.add(settings.id);
      const isDefault = settings.id === DEFAULT_CONNECTION_ID;
      const userName = (key: string) => {
        const fileKey = `connections.${vendor}[${settings.id}].${key}`;
        // A key whose ${VAR} was not set: the variable is what to set.
        const vars = unset.get(fileKey);
        if (vars) return `${vars.join(', ')} (${fileKey})`;
        return isDefault ? (CONNECTION_ENV[vendor].find(([, k]) => k === key)?.[0] ?? key) : fileKey;
      };
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
  const problems: string[] = [];
  const warnings: string[] = [];
  const unset = new Map<string, string[]>();
  // Each file is checked on its own, so a message names the file that holds the key.
  const checked = (file: string, base: Json): Json => {
    const check: FileCheck = { file, env, base, problems, warnings, unset };
    return checkValue(readYaml(file), configSchema, [], check) as Json;
  };
  let raw = checked(defaultsFile, {});
  // One file, or several joined with ':' (';' on Windows) like PATH, merged in order.
  for (const extra of (env.CONFIG_FILE ?? '').split(path.delimiter).map((f) => f.trim()).filter(Boolean)) {
    const file = path.resolve(extra);
    if (!existsSync(file)) throw new ConfigError(`CONFIG_FILE points at ${file}, which does not exist`);
    raw = deepMerge(raw, checked(file, raw));
    sources.push(file);
  }
  if (problems.length) throw new ConfigError(`Invalid configuration:\n${problems.map((p) => `- ${p}`).join('\n')}`);
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
  return { config: parsed.data, connections: resolveConnections(parsed.data, unset), sources, warnings };
}

export function findConnection(connections: ResolvedConnection[], vendor: Vendor, id: string): ResolvedConnection | undefined {
  return connections.find((c) => c.vendor === vendor && c.id === id);
}
