/**
 * The CS leads' audit (A1) on a large store: what a page, a filtered page, a pair's detail, the
 * violations, the chart and the whole CSV cost with 100,000 linked pairs, against the same
 * reads with 1,000 pairs in the same run (goal: a page costs about the same; the CSV grows
 * linearly).
 *
 * For each store (SQLite; PostgreSQL when BENCH_POSTGRES_URL or a postgres:// DATABASE_URL is
 * set), pairs are written through the Store's own methods as the service writes them (link
 * reserved and completed, both snapshots, owner; for some the handoffs, violations, E5 and SLA
 * records), with durability off while seeding only (SQLite synchronous=OFF, PostgreSQL
 * synchronous_commit=off): the reads measured run on the store as it is opened normally.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { csvRow } from '../src/audit/csv';
import { auditDetail, pairFacts } from '../src/audit/detail';
import { allPairs, queryAudit } from '../src/audit/query';
import type { AuditSettings } from '../src/audit/settings';
import { auditSettings } from '../src/audit/settings';
import { loadConfig } from '../src/config/load';
import type { SlaState } from '../src/domain/sla';
import type { JiraIssue, Ticket } from '../src/domain/ticket';
import { PgStore } from '../src/store/postgres/pg-store';
import { SqliteStore } from '../src/store/sqlite/sqlite-store';
import type { AuditQuery } from '../src/audit/types';
import type { Store } from '../src/store/types';
import { writeDocSection } from './doc-section';

const SIZES = (process.env.BENCH_AUDIT_SIZES ?? '1000,100000').split(',').map(Number);
const REPEAT = Number(process.env.BENCH_AUDIT_REPEAT ?? 15);
const PG_URL = process.env.BENCH_POSTGRES_URL ?? (/^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '') ? process.env.DATABASE_URL : undefined);
const DOC = path.join(__dirname, '..', 'BENCHMARKS.md');
const SECTION = '## The audit on 100,000 linked pairs (rule A1)';
const out = (line = '') => process.stdout.write(`${line}\n`);
const T0 = Date.UTC(2026, 8, 1, 8);
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();


/** Four helpdesk connections, as a support team with two brands on each helpdesk has. */
const CONNECTIONS = [
  ['freshdesk', 'default'],
  ['freshdesk', 'brand-b'],
  ['zendesk', 'default'],
  ['zendesk', 'partner-b'],
] as const;

function ticketOf(n: number): Ticket {
  const [vendor, connectionId] = CONNECTIONS[n % CONNECTIONS.length] as (typeof CONNECTIONS)[number];
  const id = String(100000 + n);
  const created = T0 + n * MIN;
  const resolved = n % 3 === 0;
  return {
    vendor,
    connectionId,
    id,
    url: vendor === 'zendesk' ? `https://mei.zendesk.com/agent/tickets/${id}` : `https://acme.freshdesk.com/a/tickets/${id}`,
    subject: `Energy dashboard shows no readings for site ${n % 400}`,
    descriptionText: 'The dashboard has shown no readings since Monday morning.\n\nSteps to reproduce: open the site view\nImpact: the school cannot report\nEnvironment: Chrome 131, production',
    descriptionHtml: null,
    status: resolved ? 'resolved' : n % 5 === 1 ? 'pending' : 'open',
    vendorStatus: resolved ? (vendor === 'zendesk' ? 'solved' : '4') : vendor === 'zendesk' ? 'open' : '2',
    priority: (['low', 'normal', 'high', 'urgent'] as const)[n % 4] ?? 'normal',
    type: 'problem',
    groupId: '360001',
    assigneeId: '421',
    requester: { id: String(900000 + (n % 5000)), name: `Requester ${n % 5000}`, email: `r${n % 5000}@ycdsb.example`, role: 'end-user', organisationId: '77' },
    organisation: { id: '77', name: 'York Catholic District School Board', domains: ['ycdsb.example'] },
    tags: ['jira-bug'],
    customFields: {},
    createdAt: iso(created),
    updatedAt: iso(created + 90 * MIN),
    comments: [
      { id: `${id}1`, authorId: String(900000 + (n % 5000)), author: null, public: true, incoming: true, bodyText: 'No readings since Monday.', bodyHtml: '<p>No readings since Monday.</p>', createdAt: iso(created) },
      { id: `${id}2`, authorId: '421', author: null, public: false, incoming: false, bodyText: resolved && n % 2 === 0 ? 'Outcome: feed restarted\nRoot cause: expired certificate\nMissing documentation: none' : 'Checked the ingest log.', bodyHtml: null, createdAt: iso(created + 30 * MIN) },
    ],
  };
}

function issueOf(n: number, t: Ticket): JiraIssue {
  const done = t.status === 'resolved';
  return {
    connectionId: 'default',
    id: String(200000 + n),
    key: `SUP-${1000 + n}`,
    url: `https://hypertvx.atlassian.net/browse/SUP-${1000 + n}`,
    summary: `${t.subject} (${t.vendor === 'zendesk' ? 'ZD' : 'FD'}#${t.id})`,
    status: done ? { id: '10004', name: 'Completed', categoryKey: 'done' } : { id: '3', name: 'Work in progress', categoryKey: 'indeterminate' },
    issueType: n % 10 < 7 ? 'Bug' : 'Story',
    priority: ({ low: 'Low', normal: 'Medium', high: 'High', urgent: 'Highest' } as const)[t.priority ?? 'normal'],
    labels: ['helpdesk-sync'],
    assigneeAccountId: null,
    resolution: done ? 'Done' : null,
    created: iso(T0 + n * MIN + 10 * MIN),
    updated: iso(T0 + n * MIN + 80 * MIN),
    comments: [],
  };
}

function slaOf(t: Ticket): SlaState {
  const created = Date.parse(t.createdAt);
  return {
    history: { createdAt: t.createdAt, statuses: [{ at: t.createdAt, status: 'open' }], firstResponseAt: null, priority: 'urgent', basis: 'observed' },
    trackedSince: t.createdAt,
    targets: [
      { target: 'first_response', source: 'ours', goal: { text: '1h', days: 0, minutes: 60 }, stage: 'breached', elapsedMs: 2 * 60 * MIN, remainingMs: -60 * MIN, dueAt: null, breachedAt: iso(created + 60 * MIN), metAt: null },
      { target: 'resolution', source: 'ours', goal: { text: '4h', days: 0, minutes: 240 }, stage: 'running', elapsedMs: 2 * 60 * MIN, remainingMs: 2 * 60 * MIN, dueAt: iso(created + 240 * MIN), breachedAt: null, metAt: null },
    ],
    computedAt: iso(created + 120 * MIN),
    calendar: null,
    escalations: [{ target: 'first_response', escalated: true, at: iso(created + 65 * MIN), dueAt: iso(created + 60 * MIN), lateMs: 5 * MIN, reassignedTo: '360009' }],
    fix: null,
  };
}

async function seedPair(store: Store, n: number): Promise<void> {
  const t = ticketOf(n);
  const i = issueOf(n, t);
  const ref = { vendor: t.vendor, connectionId: t.connectionId, id: t.id };
  const linkedAt = new Date(T0 + n * MIN + 10 * MIN);
  await store.reserveLink(ref, 'default', linkedAt);
  await store.completeLink(ref, { issueId: i.id, issueKey: i.key, kind: i.issueType === 'Bug' ? 'bug' : 'request', missing: n % 10 === 3 ? ['steps', 'environment'] : [] }, linkedAt);
  await store.saveSnapshot({ ref, data: t, vendorUpdatedAt: t.updatedAt, savedAt: new Date(t.updatedAt), deleted: false });
  await store.saveSnapshot({ ref: { vendor: 'jira', connectionId: 'default', id: i.id }, data: i, vendorUpdatedAt: i.updated, savedAt: new Date(i.updated), deleted: false });
  await store.setOwner({ ticket: ref, ownerId: '421', ownerGroupId: '360001', since: new Date(Date.parse(t.createdAt) + 5 * MIN), claimedAt: new Date(Date.parse(t.createdAt) + 5 * MIN) });
  const at = (m: number) => new Date(Date.parse(t.createdAt) + m * MIN);
  if (n % 5 < 2) {
    await store.appendHandoff({ ticket: ref, at: at(20), actorId: '421', direction: 'escalate', fromGroupId: '360001', toGroupId: '360002', fromAssigneeId: '421', toAssigneeId: null, commentId: `${t.id}2` });
    await store.appendHandoff({ ticket: ref, at: at(50), actorId: '433', direction: 'handback', fromGroupId: '360002', toGroupId: '360001', fromAssigneeId: '433', toAssigneeId: '421', commentId: null });
    await store.recordDecision({ ticket: ref, ruleId: 'H1', verdict: 'ok', actorId: '421', at: at(20), summary: 'context first: a private comment went with the escalation', actions: [], eventId: null });
  }
  if (n % 50 === 7) {
    await store.recordDecision({ ticket: ref, ruleId: 'H3', verdict: 'violation', actorId: '433', at: at(40), summary: 'Tier 2 agent replied publicly to the requester', actions: [{ kind: 'privateNote', idempotencyKey: `H3:${t.id}`, html: '<p>..</p>' }], eventId: null });
  }
  if (n % 20 === 2) {
    await store.recordDecision({ ticket: ref, ruleId: 'H2', verdict: 'corrected', actorId: '421', at: at(20), summary: 'escalated to a person: corrected to the group alone', actions: [{ kind: 'clearAssignee', idempotencyKey: `H2:${t.id}` }], eventId: null });
  }
  if (t.status === 'resolved' && n % 5 < 2) {
    const captured = n % 2 === 0;
    await store.recordDecision({ ticket: ref, ruleId: 'E5', verdict: captured ? 'ok' : 'violation', actorId: '421', at: at(90), summary: captured ? 'resolved with outcome, root cause and missing documentation captured' : 'knowledge gap: resolved without outcome, root cause', actions: [], eventId: null });
  }
  if (n % 7 === 0) await store.saveSla({ ticket: ref, state: slaOf(t), open: t.status !== 'resolved', nextCheckAt: null, updatedAt: at(120) });
}

async function seed(store: Store, count: number): Promise<void> {
  const pending: Promise<void>[] = [];
  for (let n = 0; n < count; n += 1) {
    pending.push(seedPair(store, n));
    if (pending.length >= 64) await Promise.all(pending.splice(0));
    if (n > 0 && n % 20000 === 0) out(`  seeded ${n.toLocaleString('en-US')} pairs`);
  }
  await Promise.all(pending);
}

/** Median of REPEAT runs, in ms, after two unmeasured warm-up runs. */
async function timed(work: () => Promise<unknown>): Promise<number> {
  await work();
  await work();
  const runs: number[] = [];
  for (let i = 0; i < REPEAT; i += 1) {
    const started = process.hrtime.bigint();
    await work();
    runs.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  runs.sort((a, b) => a - b);
  return runs[Math.floor(runs.length / 2)] as number;
}

interface Row {
  store: string;
  size: number;
  figures: Record<string, number>;
  csvPairsPerSecond: number;
}

const READS: Array<[string, (store: Store, s: AuditSettings, size: number) => Promise<unknown>]> = [
  ['first page (50 pairs)', (store, s) => queryAudit(store, { limit: 50 }, s, new Date())],
  ['a page in the middle', async (store, s, size) => queryAudit(store, { limit: 50, cursor: Buffer.from(JSON.stringify(['zendesk', 'default', String(100000 + Math.floor(size / 2))])).toString('base64url') }, s, new Date())],
  ['one connection (vendor + connection)', (store, s) => queryAudit(store, { vendor: 'zendesk', connectionId: 'partner-b', limit: 50 }, s, new Date())],
  // A window of 500 pairs a quarter of the way in (one pair a minute).
  ['raised between two times (from/to)', (store, s, size) => queryAudit(store, { from: new Date(T0 + Math.floor(size / 4) * MIN), to: new Date(T0 + (Math.floor(size / 4) + 500) * MIN), limit: 50 }, s, new Date())],
  ['one rule (H3 violations)', (store, s) => queryAudit(store, { ruleId: 'H3', limit: 50 }, s, new Date())],
  ['only problems', (store, s) => queryAudit(store, { problemsOnly: true, limit: 50 } satisfies AuditQuery, s, new Date())],
  ['ticket status resolved', (store, s) => queryAudit(store, { status: 'resolved', limit: 50 }, s, new Date())],
  ['one pair in detail', async (store, s, size) => {
    const n = Math.floor(size / 3) * 1;
    const [vendor, connectionId] = CONNECTIONS[n % CONNECTIONS.length] as (typeof CONNECTIONS)[number];
    const found = await pairFacts(store, { vendor, connectionId, id: String(100000 + n) });
    if (!found) throw new Error('the pair in detail is missing');
    return auditDetail(found.facts, found.decisions, s, new Date());
  }],
  ['violations, newest 50', (store) => store.listViolations({ limit: 50 })],
  // The span of the first 1,000 pairs (one a minute), so both sizes count the same rows; the
  // page's default 30 days counts every row in them (43,200 pairs at this rate).
  ['chart: the days of 1,000 pairs', (store) => store.auditTimeline({ from: new Date(T0), to: new Date(T0 + 1000 * MIN) })],
  ['chart: 30 days (43,200 pairs at 100,000)', (store) => store.auditTimeline({ from: new Date(T0), to: new Date(T0 + 30 * 86_400_000) })],
];

async function measure(name: string, store: Store, size: number, s: AuditSettings): Promise<Row> {
  const figures: Record<string, number> = {};
  for (const [read, work] of READS) {
    figures[read] = await timed(() => work(store, s, size));
    out(`  ${name}, ${size.toLocaleString('en-US')} pairs, ${read}: ${figures[read]?.toFixed(2)} ms`);
  }
  const started = process.hrtime.bigint();
  let rows = 0;
  let bytes = 0;
  for await (const pair of allPairs(store, {}, s, new Date())) {
    bytes += csvRow(pair).length;
    rows += 1;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (rows !== size) throw new Error(`the CSV had ${rows} rows for ${size} pairs`);
  out(`  ${name}, ${size.toLocaleString('en-US')} pairs, whole CSV: ${seconds.toFixed(2)} s, ${(bytes / 1e6).toFixed(1)} MB`);
  return { store: name, size, figures, csvPairsPerSecond: rows / seconds };
}

async function main(): Promise<void> {
  const loaded = loadConfig({ env: {} });
  const settings = auditSettings(loaded.config);
  const rows: Row[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'hs-bench-audit-'));
  const schemas: string[] = [];
  try {
    const kinds: Array<{ name: string; seedWith: (size: number) => Promise<Store>; open: (size: number) => Promise<Store> }> = [
      {
        name: 'SQLite',
        seedWith: async (size) => {
          const store = new SqliteStore(path.join(dir, `audit-${size}.db`));
          // Seeding only: the measured reads reopen the file with the store's own settings.
          (store as unknown as { db: { pragma(s: string): unknown } }).db.pragma('synchronous = OFF');
          return store;
        },
        open: async (size) => new SqliteStore(path.join(dir, `audit-${size}.db`)),
      },
    ];
    if (PG_URL) {
      const schemaOf = (size: number) => `bench_audit_${process.pid}_${size}`;
      kinds.push({
        name: 'PostgreSQL',
        seedWith: async (size) => {
          schemas.push(schemaOf(size));
          const url = new URL(PG_URL);
          url.searchParams.set('options', '-c synchronous_commit=off');
          return new PgStore(url.toString(), { schema: schemaOf(size) });
        },
        open: async (size) => new PgStore(PG_URL, { schema: schemaOf(size) }),
      });
    }
    for (const kind of kinds) {
      for (const size of SIZES) {
        const seeding = await kind.seedWith(size);
        const started = Date.now();
        await seed(seeding, size);
        await seeding.close();
        out(`${kind.name}: ${size.toLocaleString('en-US')} pairs seeded in ${((Date.now() - started) / 1000).toFixed(0)} s`);
        const store = await kind.open(size);
        try {
          rows.push(await measure(kind.name, store, size, settings));
        } finally {
          await store.close();
        }
      }
    }
  } finally {
    if (process.env.BENCH_AUDIT_KEEP === '1') out(`kept the SQLite files in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
    if (PG_URL && schemas.length > 0) {
      const c = new Client({ connectionString: PG_URL });
      await c.connect();
      for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
      await c.end();
    }
  }
  const [small, large] = [Math.min(...SIZES), Math.max(...SIZES)];
  const lines = [
    SECTION,
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} with \`npm run bench:audit\` (Node ${process.version}). Each read: the median of ${REPEAT} runs`,
    'after two warm-up runs, in milliseconds, through the same functions the routes use (the store read and the',
    "pure judgement of each pair; no HTTP). The pairs are spread over four helpdesk connections; 40 % have an",
    'escalation and a handback, 2 % an H3 violation, 5 % an H2 correction, 10 % are bugs still needing info,',
    'a seventh have a breached SLA, a third are resolved (with E5 decisions where escalated).',
    '',
    `| store | read | ${small.toLocaleString('en-US')} pairs | ${large.toLocaleString('en-US')} pairs | ${large.toLocaleString('en-US')} / ${small.toLocaleString('en-US')} |`,
    '| --- | --- | ---: | ---: | ---: |',
  ];
  for (const storeName of [...new Set(rows.map((r) => r.store))]) {
    const of = (size: number) => rows.find((r) => r.store === storeName && r.size === size);
    for (const [read] of READS) {
      const a = of(small)?.figures[read] ?? NaN;
      const b = of(large)?.figures[read] ?? NaN;
      lines.push(`| ${storeName} | ${read} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${(b / a).toFixed(2)} |`);
    }
    const a = of(small)?.csvPairsPerSecond ?? NaN;
    const b = of(large)?.csvPairsPerSecond ?? NaN;
    lines.push(`| ${storeName} | whole CSV, pairs per second | ${a.toFixed(0)} | ${b.toFixed(0)} | ${(b / a).toFixed(2)} |`);
  }
  lines.push(
    '',
    'Vendor, connection, dates and rule are indexed filters of the store; status and problems are judged per',
    'pair, so such a page reads up to 5,000 pairs (in pages of 250) to fill itself and returns a cursor where it',
    'stopped. Reproduce: `npm run bench:audit` (add `BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test`',
    'for PostgreSQL; `BENCH_AUDIT_SIZES=1000,100000` sets the sizes).',
    '',
  );
  out();
  out(lines.join('\n'));
  if (process.env.BENCH_NO_DOC !== '1') writeDocSection(DOC, SECTION, lines.join('\n'));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
