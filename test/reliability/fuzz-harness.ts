/**
 * The webhook fuzz test's machinery: the real express app on 127.0.0.1, a raw HTTP client with
 * a 2 s deadline per request, a logger that keeps every line, the oracle that says which answer
 * a generated request must get, and the checks run on every answer.
 */
import { createHash, createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import { brotliCompressSync, constants as zlibConstants, deflateSync, gzipSync } from 'node:zlib';
import type { LoadedConfig } from '../../src/config/load';
import type { Vendor } from '../../src/domain/ticket';
import { createApp } from '../../src/http/app';
import { createLogger, type Logger } from '../../src/logging/logger';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { PgStore } from '../../src/store/postgres/pg-store';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { ThreadedSqliteStore } from '../../src/store/sqlite/threaded-store';
import type { Store } from '../../src/store/types';
import { testConfig } from '../helpers/app';
import { TEST_DATABASE_URL } from '../helpers/stores';
import { SECRETS } from '../helpers/env';
import { leakedSecrets } from '../helpers/secret-forms';
import { basicAuth, jiraSignature, zendeskSignature } from '../helpers/sign';
import { BODY_LIMIT, DELIVERY, expectedOf, NONCE, tryJson, type AuthMode, type Encoding, type Spec } from './fuzz-oracle';

/** The app's clock: fixed, so Zendesk timestamps stay inside the skew window and replays are exact. */
export const NOW = new Date('2025-01-08T14:25:31Z');
export const TS = '2025-01-08T14:25:30Z';
export const DEADLINE_MS = 2000;
/** An answer's error should say what is wrong in a sentence, not echo the body back. */
export const MAX_ERROR_CHARS = 1000;


// ---------------------------------------------------------------------------------------------
// Signing

function vendorSecret(vendor: Vendor): string {
  return vendor === 'freshdesk' ? SECRETS.freshdeskWebhook : vendor === 'zendesk' ? SECRETS.zendeskWebhook : SECRETS.jiraWebhook;
}

function otherSecret(vendor: Vendor): string {
  return vendor === 'jira' ? SECRETS.zendeskWebhook : SECRETS.jiraWebhook;
}

/** The credential headers for `auth`, computed over the body as the server will see it (decoded). */
export function authHeaders(vendor: Vendor, auth: AuthMode, body: Buffer): Record<string, string | string[]> {
  const secret = vendorSecret(vendor);
  if (vendor === 'freshdesk') {
    switch (auth) {
      case 'valid':
        return { 'x-webhook-secret': secret };
      case 'valid-basic':
        return { authorization: basicAuth('freshdesk', secret) };
      case 'missing':
        return {};
      case 'wrong-secret':
      case 'other-body':
        return { 'x-webhook-secret': `${secret}x` };
      case 'other-vendor':
        return { authorization: basicAuth('freshdesk', otherSecret(vendor)) };
      case 'empty':
        return { 'x-webhook-secret': '' };
      case 'duplicate-header':
        return { 'x-webhook-secret': [secret, secret] };
      case 'basic-no-colon':
        return { authorization: `Basic ${Buffer.from(secret).toString('base64')}` };
      default:
        return { authorization: `Basic %%%${secret.length}` };
    }
  }
  if (vendor === 'jira') {
    const sig = (s: string, b: Buffer | string) => jiraSignature(s, b);
    switch (auth) {
      case 'valid':
        return { 'x-hub-signature': sig(secret, body) };
      case 'valid-upper-hex':
        return { 'x-hub-signature': `sha256=${sig(secret, body).slice(7).toUpperCase()}` };
      case 'missing':
        return {};
      case 'wrong-secret':
        return { 'x-hub-signature': sig(`${secret}-wrong`, body) };
      case 'other-vendor':
        return { 'x-hub-signature': sig(otherSecret(vendor), body) };
      case 'other-body':
        return { 'x-hub-signature': sig(secret, Buffer.concat([body, Buffer.from(' ')])) };
      case 'empty':
        return { 'x-hub-signature': '' };
      case 'duplicate-header':
        return { 'x-hub-signature': [sig(secret, body), sig(secret, body)] };
      case 'malformed':
        return { 'x-hub-signature': `sha1=${createHmac('sha1', secret).update(body).digest('hex')}` };
      default:
        return { 'x-hub-signature': `sha256=${sig(secret, body).slice(7, 40)}` };
    }
  }
  const signed = (s: string, ts: string, b: Buffer) => ({
    'x-zendesk-webhook-signature': zendeskSignature(s, ts, b),
    'x-zendesk-webhook-signature-timestamp': ts,
  });
  switch (auth) {
    case 'valid':
      return signed(secret, TS, body);
    case 'missing':
      return {};
    case 'wrong-secret':
      return signed(`${secret}-wrong`, TS, body);
    case 'other-vendor':
      return signed(otherSecret(vendor), TS, body);
    case 'other-body':
      return { ...signed(secret, TS, Buffer.concat([body, Buffer.from('\n')])) };
    case 'test-secret':
      return signed('dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==', TS, body);
    case 'stale': {
      const ts = new Date(NOW.getTime() - 301_000).toISOString();
      return signed(secret, ts, body);
    }
    case 'future': {
      const ts = new Date(NOW.getTime() + 3_600_000).toISOString();
      return signed(secret, ts, body);
    }
    case 'bad-timestamp':
      return { ...signed(secret, 'yesterday-ish', body) };
    case 'missing-timestamp':
      return { 'x-zendesk-webhook-signature': zendeskSignature(secret, TS, body) };
    case 'no-timestamp-in-mac':
      return { 'x-zendesk-webhook-signature': zendeskSignature(secret, '', body), 'x-zendesk-webhook-signature-timestamp': TS };
    case 'empty':
      return { 'x-zendesk-webhook-signature': '', 'x-zendesk-webhook-signature-timestamp': TS };
    case 'duplicate-header':
      return { ...signed(secret, TS, body), 'x-zendesk-webhook-signature': [zendeskSignature(secret, TS, body), zendeskSignature(secret, TS, body)] };
    default:
      return { 'x-zendesk-webhook-signature': '!!not base64!!', 'x-zendesk-webhook-signature-timestamp': TS };
  }
}

function encode(decoded: Buffer, encoding: Encoding): { wire: Buffer; header?: string } {
  switch (encoding) {
    case 'none':
      return { wire: decoded };
    case 'identity':
      return { wire: decoded, header: 'identity' };
    case 'gzip':
      return { wire: gzipSync(decoded), header: 'gzip' };
    case 'deflate':
      return { wire: deflateSync(decoded), header: 'deflate' };
    case 'br':
      return { wire: brotliCompressSync(decoded, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 1 } }), header: 'br' };
    case 'gzip-corrupt':
      return { wire: Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), decoded]), header: 'gzip' };
    case 'unknown':
      return { wire: decoded, header: 'x-fuzz-compress' };
  }
}

// ---------------------------------------------------------------------------------------------
// The server and its client

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  ms: number;
}

export interface Wire {
  path: string;
  headers: Record<string, string | string[]>;
  body: Buffer;
  /** Open a connection of its own and close it after (bodies the server may refuse unread). */
  ownConnection: boolean;
}

/** Which store the door writes to: FUZZ_STORE picks it (default a SQLite file, as a test box runs it). */
export type FuzzStoreKind = 'sqlite' | 'sqlite-thread' | 'postgres';

export class Target {
  readonly logLines: string[] = [];
  private server?: http.Server;
  private port = 0;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

  private constructor(
    readonly store: Store,
    readonly logger: Logger,
    readonly loaded: LoadedConfig,
    private readonly dir: string,
    private readonly ownsStore: boolean,
    /** A second, read-only connection to the store's file, to count the inbox. */
    private readonly counter: Database.Database | null,
    /** The PostgreSQL schema this target made, dropped on dispose. */
    private readonly schema: string | null,
  ) {}

  /**
   * The app on a fresh SQLite file in a temporary folder (in memory-backed /dev/shm where there
   * is one: the same store, without paying a disk's fsync 10,000 times), its logs kept at debug level.
   */
  static async start(options: { store?: Store; dbFile?: string; kind?: FuzzStoreKind } = {}): Promise<Target> {
    const dir = mkdtempSync(path.join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'hs-fuzz-'));
    const kind = options.kind ?? 'sqlite';
    let store = options.store;
    let dbFile = options.dbFile;
    let dropSchema: string | null = null;
    if (!store && kind === 'postgres') {
      dropSchema = `hs_fuzz_${process.pid}_${randomBytes(3).toString('hex')}`;
      store = new PgStore(TEST_DATABASE_URL, { schema: dropSchema, poolSize: 4 });
    } else if (!store) {
      dbFile = path.join(dir, 'fuzz.db');
      store = kind === 'sqlite-thread' ? ThreadedSqliteStore.open(dbFile) : new SqliteStore(dbFile);
      await store.inboxCounts(); // migrated before the counting connection opens the file
    }
    const counter = dbFile ? new Database(dbFile, { readonly: true, fileMustExist: true }) : null;
    const stream = new PassThrough();
    const logger = createLogger({ level: 'debug', format: 'json', stream });
    const target = new Target(store, logger, testConfig(), dir, !options.store, counter, dropSchema);
    let pending = '';
    stream.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') target.logLines.push(line);
    });
    const app = createApp({ loaded: target.loaded, store, logger, now: () => NOW });
    await new Promise<void>((resolve) => {
      target.server = app.listen(0, '127.0.0.1', () => resolve());
    });
    target.port = (target.server?.address() as AddressInfo).port;
    return target;
  }

  /** Stops the server; with `dispose`, also closes the store this target made and removes its folder. */
  async stop(options: { dispose?: boolean } = {}): Promise<void> {
    this.agent.destroy();
    const server = this.server;
    if (server) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    }
    if (options.dispose) {
      this.counter?.close();
      if (this.ownsStore) await this.store.close();
      rmSync(this.dir, { recursive: true, force: true });
      if (this.schema) {
        const client = new Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 5000 });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS "${this.schema}" CASCADE`).finally(() => client.end());
      }
    }
  }

  /** One request, with a hard deadline: a hang is a failure, not a slow test. */
  send(w: Wire): Promise<Answer> {
    const started = performance.now();
    return new Promise<Answer>((resolve, reject) => {
      let settled = false;
      const finish = (err: Error | null, answer?: Answer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(answer as Answer);
      };
      const req = http.request({
        host: '127.0.0.1',
        port: this.port,
        method: 'POST',
        path: w.path,
        headers: w.ownConnection ? { ...w.headers, connection: 'close' } : w.headers,
        agent: w.ownConnection ? false : this.agent,
      });
      const timer = setTimeout(() => {
        finish(new Error(`no answer within ${DEADLINE_MS} ms (a hang) for POST ${w.path}`));
        req.destroy();
      }, DEADLINE_MS);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          finish(null, { status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }),
        );
        res.on('error', (err) => finish(err));
      });
      // The server may answer (413, 415) and close before it has read the whole body: the
      // answer counts, a write error after it does not.
      req.on('error', (err) => setTimeout(() => finish(err), 50));
      req.end(w.body);
    });
  }

  get(pathname: string): Promise<Answer> {
    const started = performance.now();
    return new Promise<Answer>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: this.port, path: pathname, agent: false, timeout: DEADLINE_MS }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }));
      });
      req.on('timeout', () => req.destroy(new Error(`GET ${pathname} hung`)));
      req.on('error', reject);
    });
  }

  get dbFile(): string | undefined {
    return this.counter?.name;
  }

  /**
   * How many events the inbox holds, read from the file by a connection of its own: what is
   * committed, which is what a 2xx promises. (Store.inboxCounts groups by a column stored after
   * the payload, so it reads every payload; 20,000 times over a growing inbox that is the test's
   * whole run time.)
   */
  async inboxTotal(): Promise<number> {
    if (!this.counter) {
      const c = await this.store.inboxCounts();
      return c.pending + c.processing + c.done + c.dead;
    }
    return (this.counter.prepare('SELECT COUNT(*) AS n FROM inbox_events').get() as { n: number }).n;
  }
}

// ---------------------------------------------------------------------------------------------
// Statistics, for BENCHMARKS.md

export class Tally {
  /** Generated requests (first sends), and all requests (replays and redeliveries too). */
  generated = 0;
  requests = 0;
  readonly byStatus = new Map<number, number>();
  readonly byGen = new Map<string, Map<number, number>>();
  fiveXx = 0;
  fiveXxHealthy = 0;
  maxMs = 0;
  readonly latencies: number[] = [];
  accepted = 0;
  duplicates = 0;

  count(gen: string, answer: Answer, healthy: boolean): void {
    this.requests += 1;
    this.byStatus.set(answer.status, (this.byStatus.get(answer.status) ?? 0) + 1);
    const statuses = this.byGen.get(gen) ?? new Map<number, number>();
    statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    this.byGen.set(gen, statuses);
    if (answer.status >= 500) {
      this.fiveXx += 1;
      if (healthy) this.fiveXxHealthy += 1;
    }
    this.maxMs = Math.max(this.maxMs, answer.ms);
    this.latencies.push(answer.ms);
  }

  summary(seed: number, wallMs: number): Record<string, unknown> {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const pct = (p: number) => Number((sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0).toFixed(1));
    return {
      seed,
      generatedRequests: this.generated,
      requests: this.requests,
      byStatus: Object.fromEntries([...this.byStatus.entries()].sort(([a], [b]) => a - b)),
      fiveXx: this.fiveXx,
      fiveXxWithHealthyStore: this.fiveXxHealthy,
      storedEvents: this.accepted,
      duplicatesAcknowledged: this.duplicates,
      byGenerator: Object.fromEntries(
        [...this.byGen.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([gen, statuses]) => [
          gen,
          Object.fromEntries([...statuses.entries()].sort(([a], [b]) => a - b)),
        ]),
      ),
      latencyMs: { p50: pct(50), p99: pct(99), max: Number(this.maxMs.toFixed(1)) },
      wallSeconds: Number((wallMs / 1000).toFixed(1)),
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Running one generated request and checking the answer

export interface RunContext {
  target: Target;
  tally: Tally;
  /** False while the store is made to fail its writes. */
  storeWrites: () => boolean;
  /** Event ids answered 202 so far, with the vendor: every inbox row must be one of them. */
  accepted: Map<number, Vendor>;
  nextNonce: () => number;
}

function fail(spec: Spec, wire: Wire | undefined, message: string, answer?: Answer): never {
  const body = wire ? wire.body.subarray(0, 300).toString('utf8') : '';
  throw new Error(
    `${message}\n  generator: ${spec.gen} (${spec.vendor}, auth ${spec.auth}, semantic ${spec.semantic}, content-type ${JSON.stringify(spec.contentType)}, encoding ${spec.encoding})` +
      (answer ? `\n  answered ${answer.status} in ${answer.ms.toFixed(0)} ms: ${answer.text.slice(0, 500)}` : '') +
      (wire ? `\n  body (${wire.body.length} bytes, first 300): ${body}` : ''),
  );
}

/** Fills the placeholders, encodes, signs: the bytes and headers that go on the wire. */
export function materialize(spec: Spec, nonce: number): { wire: Wire; decoded: Buffer } {
  let decoded: Buffer;
  if (spec.body.kind === 'bytes') {
    decoded = Buffer.from(spec.body.bytes);
  } else {
    const text = spec.body.text.split(NONCE).join(`n${nonce}`).split(DELIVERY).join(`fuzz-delivery-${nonce}`);
    decoded = Buffer.from(text, 'utf8');
  }
  const { wire, header } = encode(decoded, spec.encoding);
  const headers: Record<string, string | string[]> = { ...authHeaders(spec.vendor, spec.auth, decoded) };
  if (spec.contentType !== null) headers['content-type'] = spec.contentType;
  if (header) headers['content-encoding'] = header;
  if (spec.framing === 'length') headers['content-length'] = String(wire.length);
  else headers['transfer-encoding'] = 'chunked';
  const deliveryName = spec.vendor === 'jira' ? 'x-atlassian-webhook-identifier' : spec.vendor === 'zendesk' ? 'x-zendesk-webhook-invocation-id' : null;
  if (deliveryName && spec.deliveryHeader !== 'none') headers[deliveryName] = spec.deliveryHeader === 'fresh' ? `fuzz-header-${nonce}` : '';
  if (spec.vendor === 'jira') headers['x-atlassian-webhook-retry'] = '0';
  if (spec.vendor === 'zendesk') headers['x-zendesk-webhook-id'] = '01GK8E6BKWMJZD2T8Y5AXJQMG5';
  return { wire: { path: spec.path, headers, body: wire, ownConnection: decoded.length > BODY_LIMIT || wire.length > BODY_LIMIT }, decoded };
}

const SIGNATURE_HEADERS = ['x-hub-signature', 'x-zendesk-webhook-signature', 'x-webhook-secret', 'authorization'];

/** What must hold of every answer, whatever was sent. */
function checkAnswer(spec: Spec, wire: Wire, answer: Answer, ctx: RunContext): Record<string, unknown> {
  const healthy = ctx.storeWrites();
  ctx.tally.count(spec.gen, answer, healthy);
  if (answer.ms >= DEADLINE_MS) fail(spec, wire, `answered after ${answer.ms.toFixed(0)} ms (limit ${DEADLINE_MS})`, answer);
  const s = answer.status;
  const allowed = (s >= 200 && s < 300) || (s >= 400 && s < 500) || s === 503;
  if (!allowed) fail(spec, wire, `status ${s} is none of 2xx, 4xx, 503`, answer);
  if (healthy && s >= 500) fail(spec, wire, `5xx with a healthy store`, answer);
  const leaks = leakedSecrets(`${JSON.stringify(answer.headers)}\n${answer.text}`);
  if (leaks.length) fail(spec, wire, `the answer leaks ${leaks.join(', ')}`, answer);
  if (!/^application\/json\b/.test(String(answer.headers['content-type']))) fail(spec, wire, `answer is not JSON (${answer.headers['content-type']})`, answer);
  const body = tryJson(answer.text);
  if (!body.ok || !body.value || typeof body.value !== 'object' || Array.isArray(body.value)) fail(spec, wire, 'answer body is not a JSON object', answer);
  const obj = body.value as Record<string, unknown>;
  if (s >= 400) {
    if (typeof obj.error !== 'string' || obj.error.trim() === '') fail(spec, wire, 'a 4xx/5xx answer without a non-empty string `error`', answer);
    if (obj.error.length > MAX_ERROR_CHARS) fail(spec, wire, `error is ${obj.error.length} characters long: it echoes the body instead of saying what is wrong`, answer);
  } else {
    if (!['accepted', 'duplicate', 'ignored'].includes(String(obj.status))) fail(spec, wire, `2xx with status ${JSON.stringify(obj.status)}`, answer);
  }
  return obj;
}

/** The stored row for a 202 is whole: the body as sent, under a well-formed key, nothing secret kept. */
async function checkStored(spec: Spec, wire: Wire, decoded: Buffer, answer: Answer, eventId: number, entityKey: string | undefined, ctx: RunContext): Promise<void> {
  const event = await ctx.target.store.getEvent(eventId);
  if (!event) fail(spec, wire, `answered 202 with eventId ${eventId}, but the store has no such event`, answer);
  if (event.vendor !== spec.vendor || event.connectionId !== 'default') fail(spec, wire, `event ${eventId} is stored for ${event.vendor}/${event.connectionId}`, answer);
  const m = /^(ticket|issue):([1-9]\d*)$/.exec(event.entityKey);
  if (!m || m[1] !== (spec.vendor === 'jira' ? 'issue' : 'ticket') || !Number.isSafeInteger(Number(m[2]))) {
    fail(spec, wire, `event ${eventId} has entity key ${JSON.stringify(event.entityKey)}: not a positive safe integer id`, answer);
  }
  if (entityKey && event.entityKey !== entityKey) fail(spec, wire, `event ${eventId} is stored under ${event.entityKey}, expected ${entityKey}`, answer);
  const text = decoded.toString('utf8');
  if (JSON.stringify(event.payload) !== JSON.stringify(JSON.parse(text))) fail(spec, wire, `event ${eventId}'s payload is not the body that was sent`, answer);
  // The dedupe key is a delivery id this request carried (header, or a Zendesk event's id), else the body's hash.
  const body = JSON.parse(text) as Record<string, unknown>;
  const keys = new Set([`sha256:${createHash('sha256').update(decoded).digest('hex')}`]);
  for (const name of ['x-atlassian-webhook-identifier', 'x-zendesk-webhook-invocation-id']) {
    const v = wire.headers[name];
    if (typeof v === 'string' && v !== '') keys.add(`delivery:${v}`);
  }
  if (spec.vendor === 'zendesk' && typeof body.id === 'string') keys.add(`delivery:${body.id}`);
  if (!keys.has(event.dedupeKey)) fail(spec, wire, `event ${eventId} has dedupe key ${event.dedupeKey.slice(0, 80)}: neither a delivery id sent nor the body's hash`, answer);
  if (event.status !== 'pending' || event.attempts !== 0) fail(spec, wire, `event ${eventId} is ${event.status} after ${event.attempts} attempts`, answer);
  for (const name of Object.keys(event.headers)) {
    if (SIGNATURE_HEADERS.includes(name.toLowerCase())) fail(spec, wire, `event ${eventId} keeps the credential header ${name}`, answer);
  }
  if (typeof event.eventType !== 'string' || event.eventType === '') fail(spec, wire, `event ${eventId} has no event type`, answer);
}

/** Sends one generated request (and its replay) and checks everything that must hold. */
export async function runSpec(spec: Spec, ctx: RunContext): Promise<void> {
  const nonce = ctx.nextNonce();
  const { wire, decoded } = materialize(spec, nonce);
  const { statuses: expected, meaning } = expectedOf(spec, decoded, ctx.storeWrites());
  if (meaning && spec.semantic !== 'unknown' && (meaning.semantic !== spec.semantic || meaning.entityKey !== spec.entityKey)) {
    fail(spec, wire, `test bug: the generator meant ${spec.semantic} ${spec.entityKey ?? ''}, the oracle says ${meaning.semantic} ${meaning.entityKey ?? ''}`);
  }
  const before = await ctx.target.inboxTotal();
  const first = await ctx.target.send(wire).catch((err: Error) => fail(spec, wire, `request failed: ${err.message}`));
  ctx.tally.generated += 1;
  const body = checkAnswer(spec, wire, first, ctx);
  if (!expected.includes(first.status)) fail(spec, wire, `expected ${expected.join(' or ')}, got ${first.status}`, first);
  const mentions = spec.errorMentions ?? meaning?.errorMentions;
  if (first.status === 422 && mentions && !mentions.test(String(body.error))) {
    fail(spec, wire, `the 422 does not say which field is wrong (expected ${mentions})`, first);
  }
  const after = await ctx.target.inboxTotal();
  if (first.status === 202) {
    if (body.status !== 'accepted' || typeof body.eventId !== 'number') fail(spec, wire, '202 without status accepted and a numeric eventId', first);
    if (after !== before + 1) fail(spec, wire, `202, but the inbox went from ${before} to ${after} events`, first);
    if (ctx.accepted.has(body.eventId)) fail(spec, wire, `202 with eventId ${body.eventId}, which an earlier delivery got`, first);
    await checkStored(spec, wire, decoded, first, body.eventId, meaning?.entityKey, ctx);
    ctx.accepted.set(body.eventId, spec.vendor);
    ctx.tally.accepted += 1;
  } else {
    if (after !== before) fail(spec, wire, `answered ${first.status}, but the inbox went from ${before} to ${after} events (half-stored?)`, first);
    if (first.status === 200 && body.status === 'duplicate') {
      if (typeof body.eventId !== 'number' || !ctx.accepted.has(body.eventId)) fail(spec, wire, `duplicate of an event (${body.eventId}) never accepted`, first);
      ctx.tally.duplicates += 1;
    }
    if (first.status === 200 && body.status === 'accepted') fail(spec, wire, 'status accepted with 200: accepted is 202', first);
  }
  if (!spec.replay) return;

  // The same delivery again (same bytes, same signature): a redelivery, never a second event.
  const again = await ctx.target.send(wire).catch((err: Error) => fail(spec, wire, `replayed request failed: ${err.message}`));
  const body2 = checkAnswer(spec, wire, again, ctx);
  const afterReplay = await ctx.target.inboxTotal();
  if (afterReplay !== after) fail(spec, wire, `the replay changed the inbox from ${after} to ${afterReplay} events`, again);
  if (first.status === 202 || (first.status === 200 && body.status === 'duplicate')) {
    if (again.status !== 200 || body2.status !== 'duplicate' || body2.eventId !== body.eventId) {
      fail(spec, wire, `the replay of event ${body.eventId} was not acknowledged as its duplicate`, again);
    }
    ctx.tally.duplicates += 1;
  } else if (again.status !== first.status && !(first.status === 503 && ctx.storeWrites())) {
    fail(spec, wire, `the replay got ${again.status} where the first delivery got ${first.status}`, again);
  }
}
