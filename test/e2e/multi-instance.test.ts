import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { zendeskHeaders } from '../../bench/signed-bodies';
import { quoteIdent } from '../../src/store/postgres/pg-store';
import { ZENDESK_ACCOUNT_ID, ZENDESK_WEBHOOK_ID } from '../../src/sandbox/zendesk/webhooks';
import { postgresAvailability, TEST_DATABASE_URL } from '../helpers/stores';

/**
 * Three `serve` processes on one PostgreSQL schema (pg-boss as the job engine), the vendor
 * sandboxes in a process of their own (bench/sandbox-host.ts) behind them. A burst of 2,000
 * signed Zendesk webhooks about 200 tickets (each ticket's first webhook raises a Jira issue),
 * spread over the three; one is killed with SIGKILL half way. Then: every acknowledged event
 * is done, nothing helpdesk-sync writes is duplicated, and each ticket's events ran in order.
 * Skipped locally without PostgreSQL, failing in CI.
 */
const pg = postgresAvailability();
const run = pg.ok || process.env.CI === 'true' ? describe : describe.skip;

const ROOT = path.resolve(__dirname, '../..');
const TICKETS = 200;
const PER_TICKET = 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

class Host {
  private serial = 0;
  private waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  constructor(readonly child: ChildProcess) {
    child.on('message', (raw) => {
      const m = raw as { id: number; ok: boolean; result?: unknown; error?: string };
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.ok) w?.resolve(m.result);
      else w?.reject(new Error(m.error));
    });
  }
  call<T>(op: string, args: Record<string, unknown> = {}): Promise<T> {
    this.serial += 1;
    const id = this.serial;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, op, ...args });
    });
  }
}

interface Serve {
  child: ChildProcess;
  url: string;
  log: string[];
}

run('three instances on one PostgreSQL (pg-boss)', () => {
  const schema = `hs_multi_${randomBytes(4).toString('hex')}`;
  const bossSchema = `${schema}_boss`;
  const admin = new Client({ connectionString: TEST_DATABASE_URL });
  let host: Host;
  const serves: Serve[] = [];

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
  });

  afterAll(async () => {
    for (const s of serves) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    host?.child.kill('SIGTERM');
    await sleep(200);
    await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`).catch(() => undefined);
    await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdent(bossSchema)} CASCADE`).catch(() => undefined);
    await admin.end();
  });

  test('a burst over three instances, one killed: every acknowledged event done once, in order per ticket', async () => {
    const t0 = Date.now();
    host = new Host(fork(path.join(ROOT, 'bench/sandbox-host.ts'), [], { cwd: ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }));
    const started = await host.call<{ env: Record<string, string> }>('start', { issues: 0 });
    const tickets = await host.call<Array<{ ticketId: number; body: string }>>('zendeskRaiseTickets', { count: TICKETS, marker: 'mi' });

    const dir = mkdtempSync(path.join(tmpdir(), 'hs-multi-'));
    const config = path.join(dir, 'multi.yaml');
    writeFileSync(
      config,
      [
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
      ].join('\n'),
    );
    const databaseUrl = `${TEST_DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    for (let i = 0; i < 3; i += 1) {
      const port = await freePort();
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), 'serve'], {
        cwd: ROOT,
        env: { ...process.env, ...started.env, DATABASE_URL: databaseUrl, PGBOSS_SCHEMA: bossSchema, PORT: String(port), LOG_LEVEL: 'warn', LOG_FORMAT: 'json', CONFIG_FILE: config },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const log: string[] = [];
      child.stdout?.on('data', (d: Buffer) => log.push(d.toString()));
      child.stderr?.on('data', (d: Buffer) => log.push(d.toString()));
      serves.push({ child, url: `http://127.0.0.1:${port}`, log });
    }
    for (const s of serves) {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const ok = await fetch(`${s.url}/readyz`).then((r) => r.ok, () => false);
        if (ok) break;
        if (Date.now() > deadline || s.child.exitCode !== null) throw new Error(`serve did not start: ${s.log.join('')}`);
        await sleep(200);
      }
    }
    const tStarted = Date.now();

    // Round k sends every ticket's k-th delivery: one ticket's events are interleaved with the others'.
    const deliveries: Array<{ ticket: number; body: string; id: string }> = [];
    for (let k = 0; k < PER_TICKET; k += 1) {
      for (const t of tickets) {
        // Each delivery its own Zendesk event (the body's id is the delivery id the inbox dedupes on).
        const body = JSON.parse(t.body) as Record<string, unknown>;
        body.id = `${String(body.id)}-${k}`;
        deliveries.push({ ticket: t.ticketId, body: JSON.stringify(body), id: `multi-${t.ticketId}-${k}` });
      }
    }
    const secret = started.env.ZENDESK_WEBHOOK_SECRET as string;
    const killed = serves[2] as Serve;
    let sent = 0;
    const acked: number[] = [];
    const send = async (d: (typeof deliveries)[number], n: number): Promise<void> => {
      // Like a vendor: a delivery that got no answer is sent again, here to another instance.
      for (let attempt = 0; attempt < 6; attempt += 1) {
        const target = serves[(n + attempt) % 3] as Serve;
        if (target === killed && killed.child.signalCode !== null) continue;
        try {
          const res = await fetch(`${target.url}/webhooks/zendesk`, {
            method: 'POST',
            headers: zendeskHeaders(secret, d.body, d.id, ZENDESK_WEBHOOK_ID, ZENDESK_ACCOUNT_ID),
            body: d.body,
          });
          if (res.status === 202 || res.status === 200) {
            const body = (await res.json()) as { eventId: number };
            acked.push(body.eventId);
            return;
          }
        } catch {
          // The instance died mid-request: try the next.
        }
      }
      throw new Error(`delivery ${d.id} was never acknowledged`);
    };
    let next = 0;
    const lanes = Array.from({ length: 24 }, async () => {
      while (next < deliveries.length) {
        const n = next;
        next += 1;
        await send(deliveries[n] as (typeof deliveries)[number], n);
        sent += 1;
        if (sent === deliveries.length / 2 && killed.child.signalCode === null) killed.child.kill('SIGKILL');
      }
    });
    await Promise.all(lanes);
    const tSent = Date.now();
    expect(killed.child.signalCode === 'SIGKILL' || killed.child.exitCode !== null).toBe(true);

    const uniqueAcked = [...new Set(acked)];
    const deadline = Date.now() + 120_000;
    let counts: Record<string, number> = {};
    for (;;) {
      const r = await admin.query(`SELECT status, COUNT(*)::int AS n FROM ${quoteIdent(schema)}.inbox_events GROUP BY status`);
      counts = Object.fromEntries(r.rows.map((row: { status: string; n: number }) => [row.status, row.n]));
      if (!counts.pending && !counts.processing) break;
      if (Date.now() > deadline) throw new Error(`the inbox did not drain: ${JSON.stringify(counts)}`);
      await sleep(250);
    }
    const tDone = Date.now();

    // Every acknowledged event is in the inbox, done.
    const rows = (
      await admin.query(`SELECT id::int AS id, entity_key, status, processed_at::bigint AS processed_at, attempts FROM ${quoteIdent(schema)}.inbox_events ORDER BY id`)
    ).rows as Array<{ id: number; entity_key: string; status: string; processed_at: string; attempts: number }>;
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(uniqueAcked.length).toBe(TICKETS * PER_TICKET);
    expect(uniqueAcked.filter((id) => byId.get(id)?.status !== 'done')).toEqual([]);
    expect(counts).toEqual({ done: TICKETS * PER_TICKET });

    // Each ticket's events finished in the order they arrived.
    const perEntity = new Map<string, typeof rows>();
    for (const r of rows) perEntity.set(r.entity_key, [...(perEntity.get(r.entity_key) ?? []), r]);
    expect(perEntity.size).toBe(TICKETS);
    const outOfOrder: string[] = [];
    for (const [key, list] of perEntity) {
      for (let i = 1; i < list.length; i += 1) {
        if (Number((list[i] as (typeof rows)[number]).processed_at) < Number((list[i - 1] as (typeof rows)[number]).processed_at)) outOfOrder.push(key);
      }
    }
    expect(outOfOrder).toEqual([]);

    // Nothing written twice: one Jira issue per ticket (and one link), one note per ticket, no comment twice.
    const writes = await host.call<{ notes: Record<string, number>; issues: Array<{ id: string; key: string }>; issueComments: Record<string, number> }>('writesPerTicket', {
      ticketIds: tickets.map((t) => t.ticketId),
    });
    const links = (await admin.query(`SELECT ticket_id, issue_id, state FROM ${quoteIdent(schema)}.ticket_links`)).rows as Array<{ ticket_id: string; issue_id: string; state: string }>;
    expect(links.length).toBe(TICKETS);
    expect(links.every((l) => l.state === 'linked')).toBe(true);
    expect(new Set(links.map((l) => l.issue_id)).size).toBe(TICKETS);
    expect(writes.issues.length).toBe(TICKETS);
    const noteCounts = Object.values(writes.notes);
    expect(noteCounts.filter((n) => n > 1)).toEqual([]);
    expect(Object.values(writes.issueComments).filter((n) => n > 1)).toEqual([]);

    // Nothing left behind in pg-boss: no failed job holding a ticket's key.
    const failed = await admin.query(`SELECT COUNT(*)::int AS n FROM ${quoteIdent(bossSchema)}.job WHERE name = 'helpdesk-sync-inbox' AND state = 'failed'`);
    expect(failed.rows[0].n).toBe(0);

    const timing = {
      startMs: tStarted - t0,
      sendMs: tSent - tStarted,
      drainMs: tDone - tSent,
      notes: noteCounts.reduce((a, b) => a + b, 0),
      recoveredAttempts: rows.filter((r) => r.attempts > 1).length,
    };
    process.stdout.write(`multi-instance: ${JSON.stringify(timing)}\n`);
    for (const s of serves.slice(0, 2)) s.child.kill('SIGTERM');
  }, 240_000);
});
