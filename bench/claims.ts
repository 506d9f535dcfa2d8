/**
 * What one inbox claim costs against the size of the backlog behind it. A claim reads the head
 * of each busy entity (inbox_entities), so 10 or 100,000 pending events should cost the same.
 *
 * For each store (SQLite; PostgreSQL when BENCH_POSTGRES_URL or a postgres:// DATABASE_URL is
 * set) and each shape, the inbox is filled with N pending events, then BENCH_CLAIM_CYCLES
 * claim+complete cycles are timed (the events the cycles take are replaced, so the backlog stays
 * at N). Shapes: every event of one ticket (a chatty ticket: all but the head wait), and events
 * spread over N/10 tickets. Reported: microseconds per cycle, and the ratio of the 100,000
 * backlog to the 10 backlog (goal: about 1).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { PgStore } from '../src/store/postgres/pg-store';
import { SqliteStore } from '../src/store/sqlite/sqlite-store';
import type { NewInboxEvent, Store } from '../src/store/types';
import { writeDocSection } from './doc-section';

const CYCLES = Number(process.env.BENCH_CLAIM_CYCLES ?? 2000);
const BACKLOGS = (process.env.BENCH_CLAIM_BACKLOGS ?? '10,100000').split(',').map(Number);
const PG_URL = process.env.BENCH_POSTGRES_URL ?? (/^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '') ? process.env.DATABASE_URL : undefined);
const DOC = path.join(__dirname, '..', 'BENCHMARKS.md');
const SECTION = '## Inbox claims against the backlog';
const out = (line = '') => process.stdout.write(`${line}\n`);

/** A Freshdesk ticket_updated webhook as the store keeps it (the body of a real automation rule). */
function freshdeskEvent(ticket: number, n: number, at: number): NewInboxEvent {
  const payload = {
    freshdesk_webhook: {
      ticket_id: ticket,
      ticket_subject: 'Invoice PDF shows the wrong VAT rate',
      ticket_status: 'Open',
      ticket_priority: 'Medium',
      ticket_group_name: 'Billing L1',
      triggered_event: '{status:{from:2,to:3}}',
      ticket_latest_public_comment: 'We are looking into this.',
    },
  };
  return {
    vendor: 'freshdesk',
    connectionId: 'default',
    entityKey: `ticket:${ticket}`,
    dedupeKey: `sha256:${ticket}-${n}`,
    dedupeWindowMs: 600_000,
    eventType: 'ticket_updated',
    source: 'webhook',
    payload,
    headers: {},
    receivedAt: new Date(at),
  };
}

async function fill(store: Store, count: number, tickets: number, from: number, at: number): Promise<void> {
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < count; i += 1) {
    pending.push(store.enqueue(freshdeskEvent(1000 + ((from + i) % tickets), from + i, at)));
    if (pending.length >= 500) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
}

async function measure(store: Store, backlog: number, tickets: number): Promise<number> {
  const t0 = Date.UTC(2026, 11, 1);
  await fill(store, backlog, tickets, 0, t0);
  const now = new Date(t0 + 1000);
  // Warm the statement caches and the JIT first.
  for (let i = 0; i < 50; i += 1) {
    const e = await store.claimNext('bench', now, 60_000);
    if (e) await store.complete(e.id, 'bench', now);
  }
  await fill(store, 50, tickets, backlog, t0);
  const started = process.hrtime.bigint();
  for (let i = 0; i < CYCLES; i += 1) {
    const e = await store.claimNext('bench', now, 60_000);
    if (!e) throw new Error(`the inbox ran dry after ${i} cycles`);
    await store.complete(e.id, 'bench', now);
    // Keep the backlog at its size: one event in for each one out.
    await store.enqueue(freshdeskEvent(1000 + ((backlog + 50 + i) % tickets), backlog + 50 + i, t0));
  }
  return Number(process.hrtime.bigint() - started) / 1000 / CYCLES;
}

async function pgStore(url: string, schema: string): Promise<Store> {
  return new PgStore(url, { schema });
}

async function main(): Promise<void> {
  const rows: Array<{ store: string; shape: string; backlog: number; us: number }> = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'hs-bench-claims-'));
  const schemas: string[] = [];
  try {
    const kinds: Array<{ name: string; open: (tag: string) => Promise<Store> }> = [
      { name: 'SQLite (file, synchronous=FULL)', open: async (tag) => new SqliteStore(path.join(dir, `${tag}.db`)) },
    ];
    if (PG_URL) {
      kinds.push({
        name: 'PostgreSQL',
        open: async (tag) => {
          const schema = `bench_claims_${process.pid}_${tag}`.replace(/[^a-z0-9_]/gi, '_');
          schemas.push(schema);
          return pgStore(PG_URL, schema);
        },
      });
    }
    for (const kind of kinds) {
      for (const shape of ['one ticket', 'spread'] as const) {
        for (const backlog of BACKLOGS) {
          const store = await kind.open(`${shape.replace(' ', '-')}-${backlog}`);
          try {
            const tickets = shape === 'one ticket' ? 1 : Math.max(1, Math.floor(backlog / 10));
            const us = await measure(store, backlog, tickets);
            rows.push({ store: kind.name, shape, backlog, us });
            out(`${kind.name}, ${shape}, ${backlog.toLocaleString('en-US')} pending: ${us.toFixed(0)} us per claim+complete+enqueue`);
          } finally {
            await store.close();
          }
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (PG_URL && schemas.length > 0) {
      const c = new Client({ connectionString: PG_URL });
      await c.connect();
      for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
      await c.end();
    }
  }
  const [small, large] = [Math.min(...BACKLOGS), Math.max(...BACKLOGS)];
  const lines = [
    SECTION,
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} with \`npm run bench:claims\` (Node ${process.version}). Each figure: one claim, its`,
    `complete and one enqueue (which keeps the backlog at its size), averaged over ${CYCLES.toLocaleString('en-US')} cycles, in microseconds.`,
    'A claim reads one head per busy ticket (the inbox_entities table), not the events behind the heads.',
    '',
    `| store | shape | ${BACKLOGS.map((b) => `${b.toLocaleString('en-US')} pending`).join(' | ')} | ${large.toLocaleString('en-US')} / ${small.toLocaleString('en-US')} |`,
    `| --- | --- | ${BACKLOGS.map(() => '---:').join(' | ')} | ---: |`,
  ];
  for (const key of [...new Set(rows.map((r) => `${r.store}\u0000${r.shape}`))]) {
    const [storeName, shape] = key.split('\u0000') as [string, string];
    const of = (b: number) => rows.find((r) => r.store === storeName && r.shape === shape && r.backlog === b)?.us ?? NaN;
    lines.push(`| ${storeName} | ${shape} | ${BACKLOGS.map((b) => of(b).toFixed(0)).join(' | ')} | ${(of(large) / of(small)).toFixed(2)} |`);
  }
  lines.push('', 'Shapes: "one ticket" puts every pending event on one ticket (all but its head wait); "spread" puts them on backlog/10 tickets.', '');
  out();
  out(lines.join('\n'));
  if (process.env.BENCH_NO_DOC !== '1') writeDocSection(DOC, SECTION, lines.join('\n'));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
