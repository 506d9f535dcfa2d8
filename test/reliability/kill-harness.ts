/**
 * What test/reliability/kill.test.ts drives: a stateful fake Zendesk API, `serve` as a process
 * of its own, signed Zendesk event webhooks sent like Zendesk sends them (concurrently,
 * redelivered while unanswered), and a TCP hop in front of PostgreSQL that can drop every
 * connection and refuse new ones for a moment (what a database restart looks like to a client).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { refOf } from '../../src/domain/rules';
import { ZENDESK_ACCOUNT_ID, ZENDESK_WEBHOOK_ID } from '../../src/sandbox/zendesk/webhooks';
import { fixture } from '../helpers/fixtures';

export const ROOT = path.resolve(__dirname, '..', '..');
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether `p` settled within `ms`; the timer is cleared either way (no handle left for jest). */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([p.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

type Json = Record<string, unknown>;

// ---- the fake Zendesk API

interface TicketState {
  tags: string[];
  fields: Json;
  updatedAt: string;
  /** Private notes written through the API, as the comments list shows them afterwards. */
  notes: Json[];
}

/**
 * Zendesk's Support API for the tickets of the burst, from test/fixtures/zendesk/api with the
 * ticket id substituted. Stateful like the real one: a note written is in the ticket's comments
 * from then on (so a retry that looks for its earlier write finds it), tags and fields written
 * are in the next read. Counts, per ticket, the reads and every write (notes by their ref).
 */
export class FakeZendesk {
  readonly server: Server = createServer((req, res) => this.route(req, res));
  url = '';
  /** GET /tickets/{id}.json per ticket: how often a worker read the ticket. */
  readonly reads = new Map<string, number>();
  /** Notes per ticket, in the order written, by the ref in their signature line. */
  readonly noteRefs = new Map<string, Array<string | null>>();
  /** Other writes per ticket (tag and field updates). */
  readonly otherWrites = new Map<string, number>();
  /** Calls to paths this fake does not know (they answer 404). */
  readonly unknown: string[] = [];
  calls = 0;
  private readonly state = new Map<string, TicketState>();
  private serial = 50_000_000_000_000;
  private readonly open = new Set<import('node:net').Socket>();

  constructor(private readonly latencyMs = 5) {
    this.server.on('connection', (s) => {
      this.open.add(s);
      s.on('close', () => this.open.delete(s));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.open) s.destroy();
    await new Promise((r) => this.server.close(r));
    this.server.unref();
  }

  private ticket(id: string): TicketState {
    let t = this.state.get(id);
    if (!t) {
      const show = fixture<{ ticket: Json }>('zendesk/api/ticket-show.json').ticket;
      t = { tags: [...(show.tags as string[])], fields: {}, updatedAt: String(show.updated_at), notes: [] };
      this.state.set(id, t);
    }
    return t;
  }

  private touch(t: TicketState): void {
    // Whole seconds, always later than before: what a write does to updated_at.
    const next = Math.max(Date.parse(t.updatedAt) + 1000, Math.floor(Date.now() / 1000) * 1000);
    t.updatedAt = new Date(next).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  private ticketJson(id: string): Json {
    const show = fixture<{ ticket: Json }>('zendesk/api/ticket-show.json').ticket;
    const t = this.ticket(id);
    return { ...show, ...t.fields, id: Number(id), url: `https://acme.zendesk.com/api/v2/tickets/${id}.json`, tags: [...t.tags], updated_at: t.updatedAt };
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    this.calls += 1;
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      setTimeout(() => {
        try {
          const { status, body } = this.answer(req.method ?? 'GET', req.url ?? '/', raw);
          res.statusCode = status;
          res.setHeader('Content-Type', 'application/json; charset=utf-8');
          res.end(JSON.stringify(body));
        } catch (err) {
          res.statusCode = 500;
          res.end(JSON.stringify({ error: String(err) }));
        }
      }, this.latencyMs);
    });
  }

  private answer(method: string, url: string, raw: string): { status: number; body: unknown } {
    const u = new URL(url, 'http://fake');
    const p = u.pathname;
    const bump = (m: Map<string, number>, id: string) => m.set(id, (m.get(id) ?? 0) + 1);
    let m: RegExpExecArray | null;
    if (method === 'GET' && (m = /^\/api\/v2\/tickets\/(\d+)\.json$/.exec(p))) {
      const id = m[1] as string;
      bump(this.reads, id);
      const show = fixture<Json>('zendesk/api/ticket-show.json');
      return { status: 200, body: { ...show, ticket: this.ticketJson(id) } };
    }
    if (method === 'GET' && (m = /^\/api\/v2\/tickets\/(\d+)\/comments\.json$/.exec(p))) {
      const page = fixture<{ comments: Json[] }>('zendesk/api/ticket-comments.json');
      return { status: 200, body: { ...page, comments: [...page.comments, ...this.ticket(m[1] as string).notes] } };
    }
    if (method === 'GET' && (m = /^\/api\/v2\/tickets\/(\d+)\/audits\.json$/.exec(p))) {
      // Two pages, cursor-linked, as the fixtures are.
      const first = fixture<{ audits: Json[]; meta: { after_cursor: string } }>('zendesk/api/ticket-audits-page-1.json');
      const second = u.searchParams.get('page[after]') === first.meta.after_cursor;
      const page = second ? fixture<{ audits: Json[] }>('zendesk/api/ticket-audits-page-2.json') : first;
      return { status: 200, body: { ...page, audits: page.audits.map((a) => ({ ...a, ticket_id: Number(m?.[1]) })) } };
    }
    if (method === 'GET' && p === '/api/v2/groups.json') return { status: 200, body: fixture('zendesk/api/groups.json') };
    if (method === 'GET' && /^\/api\/v2\/users\/\d+\.json$/.test(p)) return { status: 200, body: fixture('zendesk/api/user-show.json') };
    if (method === 'GET' && /^\/api\/v2\/organizations\/\d+\.json$/.test(p)) return { status: 200, body: fixture('zendesk/api/organization-show.json') };
    if ((method === 'PUT' || method === 'DELETE') && (m = /^\/api\/v2\/tickets\/(\d+)\/tags\.json$/.exec(p))) {
      const id = m[1] as string;
      const t = this.ticket(id);
      const tags = ((JSON.parse(raw || '{}') as { tags?: string[] }).tags ?? []).map(String);
      t.tags = method === 'PUT' ? [...new Set([...t.tags, ...tags])] : t.tags.filter((x) => !tags.includes(x));
      this.touch(t);
      bump(this.otherWrites, id);
      return { status: 200, body: { tags: t.tags } };
    }
    if (method === 'PUT' && (m = /^\/api\/v2\/tickets\/(\d+)\.json$/.exec(p))) {
      const id = m[1] as string;
      const t = this.ticket(id);
      const { comment, tags, safe_update: _s, updated_stamp: _u, ...fields } = ((JSON.parse(raw || '{}') as { ticket?: Json }).ticket ?? {}) as Json;
      if (Array.isArray(tags)) t.tags = tags.map(String);
      Object.assign(t.fields, fields);
      this.touch(t);
      const auditId = (this.serial += 10);
      const events: Json[] = [];
      if (comment && typeof comment === 'object') {
        const c = comment as { html_body?: string; body?: string; public?: boolean };
        const html = c.html_body ?? c.body ?? '';
        const plain = html.replace(/<br\s*\/?>/gi, '\n').replace(/<\/p>/gi, '\n').replace(/<[^>]+>/g, '').trim();
        const note = {
          id: auditId + 1,
          type: 'Comment',
          author_id: 8447399000001,
          body: plain,
          html_body: html,
          plain_body: plain,
          public: c.public ?? true,
          attachments: [],
          audit_id: auditId,
          via: { channel: 'api', source: { from: {}, to: {}, rel: null } },
          created_at: t.updatedAt,
        };
        t.notes.push(note);
        this.noteRefs.set(id, [...(this.noteRefs.get(id) ?? []), refOf(plain) ?? refOf(html)]);
        events.push(note);
      } else bump(this.otherWrites, id);
      for (const [field, value] of Object.entries(fields)) events.push({ id: (this.serial += 1), type: 'Change', field_name: field, value, previous_value: null });
      const audit = { id: auditId, ticket_id: Number(id), created_at: t.updatedAt, author_id: 8447399000001, via: { channel: 'api', source: { from: {}, to: {}, rel: null } }, events };
      return { status: 200, body: { ticket: this.ticketJson(id), audit } };
    }
    this.unknown.push(`${method} ${p}`);
    return { status: 404, body: { error: 'RecordNotFound', description: 'Not found' } };
  }

  /** Notes whose ref was written more than once, per ticket (a write repeated). */
  repeatedNotes(): Array<{ ticket: string; ref: string | null; times: number }> {
    const out: Array<{ ticket: string; ref: string | null; times: number }> = [];
    for (const [ticket, refs] of this.noteRefs) {
      const seen = new Map<string | null, number>();
      for (const r of refs) seen.set(r, (seen.get(r) ?? 0) + 1);
      for (const [ref, times] of seen) if (times > 1) out.push({ ticket, ref, times });
    }
    return out;
  }

  get notesWritten(): number {
    let n = 0;
    for (const refs of this.noteRefs.values()) n += refs.length;
    return n;
  }
}

// ---- serve, as its own process

export interface Serve {
  child: ChildProcess;
  port: number;
  url: string;
  /** When the process ended, and how (null while it runs). */
  ended: { code: number | null; signal: NodeJS.Signals | null; at: number } | null;
  exited: Promise<void>;
}

/**
 * `node --import tsx src/cli/main.ts serve`: one process, so SIGKILL hits the server and nothing
 * else. Resolves once it logged "helpdesk-sync listening" (LOG_FORMAT=json), with its port.
 * Everything it writes on stdout and stderr goes to `log`.
 */
export function startServe(env: Record<string, string | undefined>, log: string[], timeoutMs = 30_000): Promise<Serve> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'main.ts'), 'serve'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...env } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let started = false;
    const serve: Serve = { child, port: 0, url: '', ended: null, exited: Promise.resolve() };
    const timer = setTimeout(() => {
      if (!started) {
        child.kill('SIGKILL');
        reject(new Error(`serve did not start within ${timeoutMs} ms:\n${out.slice(-4000)}`));
      }
    }, timeoutMs);
    serve.exited = new Promise<void>((done) => {
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        serve.ended = { code, signal, at: Date.now() };
        done();
        if (!started) reject(new Error(`serve exited with ${code ?? signal} before listening:\n${out.slice(-4000)}`));
      });
    });
    const take = (chunk: Buffer) => {
      const text = chunk.toString();
      log.push(text);
      if (started) return;
      out += text;
      const line = out.split('\n').find((l) => l.includes('helpdesk-sync listening'));
      if (!line) return;
      started = true;
      clearTimeout(timer);
      serve.port = (JSON.parse(line) as { port: number }).port;
      serve.url = `http://127.0.0.1:${serve.port}`;
      resolve(serve);
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
  });
}

/** SIGKILL whatever of `serves` still runs (afterAll). */
export async function killAll(serves: Serve[]): Promise<void> {
  for (const s of serves) if (!s.ended) s.child.kill('SIGKILL');
  await Promise.all(serves.map((s) => settlesWithin(s.exited, 5000)));
}

/** Stops `serve` with SIGTERM; the exit code (null if it had to be killed after `ms`). */
export async function stopServe(serve: Serve, ms = 20_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (!serve.ended) serve.child.kill('SIGTERM');
  const done = await settlesWithin(serve.exited, ms);
  if (!done) {
    serve.child.kill('SIGKILL');
    await serve.exited;
    return { code: null, signal: 'SIGKILL' };
  }
  return { code: serve.ended?.code ?? null, signal: serve.ended?.signal ?? null };
}

/** A config file for the burst: the worker quick to retry, no scheduled jobs, notes settle in 1 s. */
export const BURST_CONFIG = [
  'worker:',
  '  concurrency: 4',
  '  pollIntervalMs: 200',
  '  backoffBaseMs: 1000',
  '  backoffMaxMs: 4000',
  '  maxAttempts: 10',
  '  leaseMs: 60000',
  'schedules:',
  '  poll: "0 0 1 1 *"',
  '  reconcile: "0 0 1 1 *"',
  '  consultSweep: "0 0 1 1 *"',
  'jiraIssues:',
  '  createSettleSeconds: 1',
  '',
].join('\n');

// ---- the webhooks

export interface Delivery {
  /** The Zendesk event id (body.id), which the inbox dedupes on. */
  id: string;
  ticket: string;
  /** The ticket's k-th event of the burst. */
  k: number;
  body: string;
}

const EVENT_KINDS: Array<{ type: string; event: (ticket: string, k: number) => Json }> = [
  { type: 'status_changed', event: (_t, k) => ({ current: k % 2 ? 'PENDING' : 'OPEN', previous: k % 2 ? 'OPEN' : 'PENDING' }) },
  {
    type: 'comment_added',
    event: (t, k) => ({
      comment: { id: `${t}${String(k).padStart(3, '0')}`, body: `Customer follow-up ${k}: still cannot log in.`, is_public: true, author: { id: '8447388090494', is_staff: false, name: 'Maria Keller' } },
    }),
  },
  { type: 'priority_changed', event: (_t, k) => ({ current: k % 2 ? 'URGENT' : 'HIGH', previous: k % 2 ? 'HIGH' : 'URGENT' }) },
  { type: 'tags_changed', event: (_t, k) => ({ current: ['mobile', 'login', `burst_${k}`], previous: ['mobile', 'login'], tags_added: [`burst_${k}`], tags_removed: [] }) },
  { type: 'agent_assignment_changed', event: () => ({ current: '8447388090495', previous: null }) },
];

/**
 * `perTicket` event-subscription deliveries for each of `tickets` tickets, in rounds (round k is
 * every ticket's k-th event), the envelope of test/fixtures/webhooks/zendesk-status-changed.json.
 */
export function buildDeliveries(tickets: number, perTicket: number, firstTicket: number, tag: string): Delivery[] {
  const base = fixture<Json>('webhooks/zendesk-status-changed.json');
  const detail = base.detail as Json;
  const start = Date.parse('2025-01-08T15:00:00Z');
  const out: Delivery[] = [];
  for (let k = 0; k < perTicket; k += 1) {
    for (let n = 0; n < tickets; n += 1) {
      const ticket = String(firstTicket + n);
      const kind = EVENT_KINDS[k % EVENT_KINDS.length] as (typeof EVENT_KINDS)[number];
      const time = new Date(start + k * 60_000 + n * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const id = randomUUID();
      const body = {
        type: `zen:event-type:ticket.${kind.type}`,
        account_id: ZENDESK_ACCOUNT_ID,
        id,
        time,
        zendesk_event_version: '2022-11-06',
        subject: `zen:ticket:${ticket}`,
        detail: { ...detail, id: ticket, updated_at: time, tags: ['mobile', 'login'] },
        event: { ...kind.event(ticket, k), meta: { sequence: { id: `${tag}${ticket}${k}`.toUpperCase(), position: 1, total: 1 } } },
      };
      out.push({ id, ticket, k, body: JSON.stringify(body) });
    }
  }
  return out;
}

export type Answer = { status: number; eventId: number | null; state: string | null; text: string } | { status: 0; error: string };

export const acknowledged = (a: Answer | undefined): a is Extract<Answer, { eventId: number | null }> & { eventId: number } =>
  !!a && (a.status === 202 || a.status === 200) && 'eventId' in a && typeof a.eventId === 'number';

/** One delivery, signed now as Zendesk signs (base64 HMAC-SHA256 of timestamp + body). */
export async function deliver(url: string, secret: string, d: Delivery, timeoutMs = 10_000): Promise<Answer> {
  const timestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  try {
    const res = await fetch(`${url}/webhooks/zendesk`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Zendesk Webhook',
        'x-zendesk-webhook-signature': createHmac('sha256', secret).update(timestamp).update(d.body).digest('base64'),
        'x-zendesk-webhook-signature-timestamp': timestamp,
        'x-zendesk-webhook-id': ZENDESK_WEBHOOK_ID,
        'x-zendesk-webhook-invocation-id': d.id,
        'x-zendesk-account-id': String(ZENDESK_ACCOUNT_ID),
      },
      body: d.body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let parsed: { eventId?: unknown; status?: unknown } = {};
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      // not JSON: kept as text
    }
    return { status: res.status, eventId: typeof parsed.eventId === 'number' ? parsed.eventId : null, state: typeof parsed.status === 'string' ? parsed.status : null, text };
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return { status: 0, error: cause?.code ?? cause?.message ?? (err as Error).message };
  }
}

export interface BurstOptions {
  url: () => string;
  secret: string;
  concurrency: number;
  /** Called with every answer (or failure), in the order they come. */
  onAnswer?: (d: Delivery, a: Answer, inFlight: ReadonlySet<Delivery>) => void;
  /** Checked before each delivery is taken: true stops the burst (what is in flight finishes). */
  stop?: () => boolean;
}

/** Sends `deliveries` `concurrency` at a time, in order; each once. The answers, by delivery id. */
export async function burst(deliveries: readonly Delivery[], opts: BurstOptions): Promise<Map<string, Answer>> {
  const answers = new Map<string, Answer>();
  const inFlight = new Set<Delivery>();
  let next = 0;
  const lanes = Array.from({ length: opts.concurrency }, async () => {
    while (next < deliveries.length && !opts.stop?.()) {
      const d = deliveries[next] as Delivery;
      next += 1;
      inFlight.add(d);
      const a = await deliver(opts.url(), opts.secret, d);
      inFlight.delete(d);
      answers.set(d.id, a);
      opts.onAnswer?.(d, a, inFlight);
    }
  });
  await Promise.all(lanes);
  return answers;
}

/**
 * What a vendor does with deliveries that got no 2xx: sends them again, here until each is
 * acknowledged or `deadline` passes. The final answer of each, by delivery id, and every
 * answer's status along the way.
 */
export async function redeliver(
  deliveries: readonly Delivery[],
  opts: { url: () => string; secret: string; concurrency: number; deadline: number; pauseMs?: number },
): Promise<{ answers: Map<string, Answer>; statuses: number[] }> {
  const answers = new Map<string, Answer>();
  const statuses: number[] = [];
  let pending = [...deliveries];
  while (pending.length && Date.now() < opts.deadline) {
    const round = await burst(pending, { url: opts.url, secret: opts.secret, concurrency: opts.concurrency });
    for (const [id, a] of round) {
      answers.set(id, a);
      statuses.push(a.status);
    }
    pending = pending.filter((d) => !acknowledged(round.get(d.id)));
    if (pending.length) await sleep(opts.pauseMs ?? 500);
  }
  return { answers, statuses };
}

// ---- a hop in front of PostgreSQL

/**
 * A TCP relay to PostgreSQL. outage(ms) is a database restart as a client sees it: every open
 * connection is cut, and new ones are refused (reset) until the outage is over.
 */
export class PgHop {
  private readonly server = net.createServer((client) => this.relay(client));
  private readonly pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  private downUntil = 0;
  private closed = false;
  port = 0;
  refused = 0;
  cut = 0;

  constructor(
    private readonly host: string,
    private readonly upstreamPort: number,
  ) {}

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  // Sockets are destroyed, not resetAndDestroy()ed: on Node 20 a reset socket left this process
  // spinning at full CPU after the tests, unable to exit.
  private relay(client: net.Socket): void {
    if (this.closed || Date.now() < this.downUntil) {
      this.refused += 1;
      client.destroy();
      return;
    }
    const upstream = net.connect(this.upstreamPort, this.host);
    const pair = { client, upstream };
    this.pairs.add(pair);
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  outage(ms: number): void {
    this.downUntil = Date.now() + ms;
    for (const { client, upstream } of [...this.pairs]) {
      this.cut += 1;
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.outage(0);
    await new Promise((r) => this.server.close(r));
    this.server.unref();
  }
}
