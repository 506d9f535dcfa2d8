import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SQLITE_SCHEMA_VERSION } from '../../src/store/sqlite/migrations';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import type { NewInboxEvent } from '../../src/store/types';
import { fixtureText } from '../helpers/fixtures';

/**
 * `helpdesk-sync status [--json]` and `sync status --json` as an operator runs them: the real CLI
 * on a SQLite file seeded through the Store (webhooks done, pending and dead, a discarded dead
 * letter, a poll cursor, job runs, an open circuit), with Zendesk and Jira configured and
 * Freshdesk not.
 */
const ROOT = path.join(__dirname, '..', '..');
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
let dir: string;
let dbFile: string;

const CONNECTIONS = {
  ZENDESK_URL: 'https://aegent.zendesk.com',
  ZENDESK_EMAIL: 'helpdesk-sync@aegent.example',
  ZENDESK_API_TOKEN: 'zd-api-token-0123456789',
  ZENDESK_WEBHOOK_SECRET: 'zd-webhook-signing-secret-0123',
  JIRA_URL: 'https://aegent.atlassian.net',
  JIRA_EMAIL: 'helpdesk-sync@aegent.example',
  JIRA_API_TOKEN: 'jira-api-token-0123456789',
  JIRA_PROJECT_KEY: 'SUP',
};

function cli(args: string[], env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'main.ts'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: dbFile, LOG_LEVEL: 'error', ...CONNECTIONS, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const T0 = Date.parse('2025-01-08T14:25:30Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const WORKER = 'support-01:4242:9f1c2b7a';

function zendesk(file: string, dedupeKey: string, minute: number): NewInboxEvent {
  const text = fixtureText(`webhooks/${file}`);
  const payload = JSON.parse(text) as { type: string };
  return { vendor: 'zendesk', connectionId: 'default', entityKey: 'ticket:5158', dedupeKey, dedupeWindowMs: null, eventType: payload.type, source: 'webhook', payload, payloadText: text, headers: {}, receivedAt: at(minute) };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'hs-status-cli-'));
  dbFile = path.join(dir, 'helpdesk-sync.db');
  const store = new SqliteStore(dbFile);
  // Done: the comment; dead and discarded: the group change; dead: the status change; pending: a Jira update.
  const done = (await store.enqueue(zendesk('zendesk-comment-added.json', 'delivery:1', 0))).eventId;
  await store.claimNext(WORKER, at(1), 60_000);
  await store.complete(done, WORKER, at(1));
  for (const [file, key, minute] of [
    ['zendesk-group-changed.json', 'delivery:2', 2],
    ['zendesk-status-changed.json', 'delivery:3', 4],
  ] as const) {
    const { eventId } = await store.enqueue(zendesk(file, key, minute));
    await store.claimNext(WORKER, at(minute), 60_000);
    await store.deadLetter(eventId, WORKER, 'Zendesk answered 422 Unprocessable Entity', at(minute + 1));
  }
  const [first] = await store.listDeadLetters();
  await store.discardDeadLetter(first!.id, 'superseded by the status change', 'dana@ops-laptop', at(6));
  const jira = fixtureText('webhooks/jira-issue-updated.json');
  await store.enqueue({ vendor: 'jira', connectionId: 'default', entityKey: 'issue:10002', dedupeKey: 'delivery:4', dedupeWindowMs: null, eventType: 'jira:issue_updated', source: 'webhook', payload: JSON.parse(jira) as unknown, payloadText: jira, headers: {}, receivedAt: at(7) });
  // The poll read Zendesk at minute 8 (its cursor), the backfill read it earlier; Jira was polled at minute 9.
  await store.setCursor('backfill:zendesk:default', JSON.stringify({ since: '2024-12-01T00:00:00Z', position: '2025-01-08T13:00:00Z', after: null, complete: true }), at(3));
  await store.setCursor('poll:zendesk:default', 'MTczNjM0NjMzMC4wfHw1MTU4fA==', at(8));
  await store.setCursor('poll:jira:default', '2025-01-08T14:25:30.000+0000', at(9));
  const run = await store.startJobRun('poll', WORKER, at(8));
  await store.finishJobRun(run, { outcome: 'ok', summary: { seen: 4, changed: 1, enqueued: 1, errors: 0 }, error: null }, at(8.05));
  // Jira refuses the credentials: its circuit is open in the server's process.
  await store.saveCircuit({ vendor: 'jira', connectionId: 'default', holder: WORKER, state: 'open', reason: 'auth', failures: 1, openedAt: at(9), probeAt: at(10), lastError: 'Jira answered 401 Unauthorized', updatedAt: at(9) });
  await store.close();
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface StatusJson {
  version: string;
  ok: boolean;
  store: { kind: string; location: string; reachable: boolean; schemaVersion: number | null; expectedVersion: number | null; upToDate: boolean; error?: string };
  inbox: Record<string, number> | null;
  deadLetters: { open: number; replayed: number; discarded: number } | null;
  connections: Array<{ vendor: string; id: string; enabled: boolean; missing: string[]; webhooks: { accepted: boolean; missingSecret: string | null }; lastSuccessfulCall: { at: string; via: string } | null; circuits: Array<{ reason: string }> }>;
  jobs: Array<{ job: string; outcome: string; summary: Record<string, number> }> | null;
}

describe('helpdesk-sync status', () => {
  it('prints the store, the inbox, dead letters, each connection and the jobs', () => {
    const run = cli(['status']);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    const out = run.stdout;
    expect(out).toMatch(new RegExp(`^helpdesk-sync ${VERSION.replace(/\./g, '\\.')}$`, 'm'));
    expect(out).toMatch(new RegExp(`^Store: sqlite .*helpdesk-sync\\.db, reachable, schema ${SQLITE_SCHEMA_VERSION} \\(as expected\\)$`, 'm'));
    expect(out).toMatch(/^Inbox: 1 pending, 0 processing, 1 done, 2 dead$/m);
    expect(out).toMatch(/^Dead letters: 1 open \(1 discarded\); `dead-letters list` lists them/m);
    expect(out).toMatch(/^ {2}freshdesk\/default +disabled \(missing FRESHDESK_URL, FRESHDESK_API_KEY\); webhooks refused until FRESHDESK_WEBHOOK_SECRET is set$/m);
    expect(out).toMatch(new RegExp(`^ {2}zendesk/default +API enabled; webhooks at /webhooks/zendesk/default; last successful API read ${at(8).toISOString()} \\(poll, .* ago\\)$`, 'm'));
    expect(out).toMatch(new RegExp(`^ {2}jira/default +API enabled; webhooks refused until JIRA_WEBHOOK_SECRET is set; last successful API read ${at(9).toISOString()} \\(poll, .* ago\\)$`, 'm'));
    expect(out).toMatch(/^Vendor connections paused \(1 open circuit\(s\)/m);
    expect(out).toMatch(/^ {2}jira\/default +open \(auth\)/m);
    expect(out).toMatch(/^ {2}poll {7}ok {7}started 2025-01-08T14:33:30\.000Z .*seen 4, changed 1, enqueued 1, errors 0$/m);
    expect(out).toMatch(/^ {2}reconcile {2}never run$/m);
  });

  it('--json: one document with the same facts', () => {
    const run = cli(['status', '--json']);
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    const s = JSON.parse(run.stdout) as StatusJson;
    expect(s).toMatchObject({
      version: VERSION,
      ok: true,
      store: { kind: 'sqlite', location: dbFile, reachable: true, schemaVersion: SQLITE_SCHEMA_VERSION, expectedVersion: SQLITE_SCHEMA_VERSION, upToDate: true },
      inbox: { pending: 1, processing: 0, done: 1, dead: 2 },
      deadLetters: { open: 1, replayed: 0, discarded: 1 },
    });
    const byName = Object.fromEntries(s.connections.map((c) => [`${c.vendor}/${c.id}`, c]));
    expect(byName['freshdesk/default']).toMatchObject({ enabled: false, missing: ['FRESHDESK_URL', 'FRESHDESK_API_KEY'], lastSuccessfulCall: null, circuits: [] });
    expect(byName['zendesk/default']).toMatchObject({ enabled: true, webhooks: { accepted: true, missingSecret: null }, lastSuccessfulCall: { at: at(8).toISOString(), via: 'poll' } });
    expect(byName['jira/default']).toMatchObject({ enabled: true, webhooks: { accepted: false, missingSecret: 'JIRA_WEBHOOK_SECRET' }, circuits: [{ reason: 'auth' }] });
    expect(s.jobs).toEqual([expect.objectContaining({ job: 'poll', outcome: 'ok', summary: { seen: 4, changed: 1, enqueued: 1, errors: 0 } })]);
  });

  it('sync status --json: jobs, cursors and circuits, one document', () => {
    const run = cli(['sync', 'status', '--json']);
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    const s = JSON.parse(run.stdout) as { jobs: unknown[]; cursors: Array<{ name: string; kind: string }>; circuits: unknown[] };
    expect(s.cursors.map((c) => [c.name, c.kind])).toEqual([
      ['backfill:zendesk:default', 'backfill'],
      ['poll:jira:default', 'poll'],
      ['poll:zendesk:default', 'poll'],
    ]);
    expect(s.jobs).toHaveLength(1);
    expect(s.circuits).toHaveLength(1);
  });

  it('exits 1 when the store is unreachable, still printing what it knows (and never the password)', () => {
    const run = cli(['status', '--json'], { DATABASE_URL: 'postgres://helpdesk:s3cret-pass@127.0.0.1:1/helpdesk' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^The store is unreachable: .*ECONNREFUSED/);
    const s = JSON.parse(run.stdout) as StatusJson;
    expect(s).toMatchObject({ ok: false, store: { kind: 'postgres', location: 'postgres://helpdesk:****@127.0.0.1:1/helpdesk', reachable: false }, inbox: null, jobs: null });
    expect(s.connections).toHaveLength(3);
    expect(run.stdout + run.stderr).not.toContain('s3cret-pass');
    const text = cli(['status'], { DATABASE_URL: 'postgres://helpdesk:s3cret-pass@127.0.0.1:1/helpdesk' });
    expect(text.status).toBe(1);
    expect(text.stdout).toMatch(/^Store: postgres postgres:\/\/helpdesk:\*\*\*\*@127\.0\.0\.1:1\/helpdesk: UNREACHABLE: .*ECONNREFUSED/m);
  });

  it('exits 1 when the schema is not the one this build expects (a newer version wrote it)', () => {
    const newer = path.join(dir, 'newer.db');
    new Database(newer).close();
    const s0 = cli(['status'], { DATABASE_URL: newer });
    expect(s0.status).toBe(0);
    const db = new Database(newer);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(SQLITE_SCHEMA_VERSION + 1, 'from a newer helpdesk-sync', Date.now());
    db.close();
    const run = cli(['status'], { DATABASE_URL: newer });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`^Store: sqlite .*newer\\.db, reachable, schema ${SQLITE_SCHEMA_VERSION + 1}, but this build expects ${SQLITE_SCHEMA_VERSION}$`, 'm'));
    expect(run.stderr).toBe(`The store's schema is version ${SQLITE_SCHEMA_VERSION + 1}; this build expects ${SQLITE_SCHEMA_VERSION}.\n`);
  });
});
