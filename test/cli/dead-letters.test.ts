import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo, hostname } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createLogger } from '../../src/logging/logger';
import { quoteIdent, type PgStore } from '../../src/store/postgres/pg-store';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import type { DeadLetter, NewInboxEvent, Store } from '../../src/store/types';
import { DEAD_QUEUE, INBOX_QUEUE, PgBossJobs, type DeadJobData } from '../../src/sync/engine/pg-boss-jobs';
import { fixtureText } from '../helpers/fixtures';
import { describeStore, TEST_DATABASE_URL } from '../helpers/stores';

/**
 * `helpdesk-sync dead-letters list | show | replay | discard` and `replay --list` as an operator
 * runs them: the real CLI (node --import tsx src/cli/main.ts) on a SQLite file seeded through the
 * Store with three webhooks that died (Zendesk, Freshdesk, Jira), then a worker that lets a
 * replayed one die again. The tests run in order, each on the state the one before left.
 */
const ROOT = path.join(__dirname, '..', '..');
let dir: string;
let dbFile: string;

function cli(...args: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'main.ts'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: dbFile, LOG_LEVEL: 'error' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The CLI's JSON: stdout must be that one document and nothing else. */
function json<T>(run: { status: number | null; stdout: string; stderr: string }): T {
  expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
  return JSON.parse(run.stdout) as T;
}

async function withStore<T>(fn: (store: SqliteStore) => Promise<T>): Promise<T> {
  const store = new SqliteStore(dbFile);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

const WORKER = 'support-01:4242:9f1c2b7a';
const T0 = Date.parse('2025-01-08T14:25:30Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const ZD_422 = 'Zendesk answered 422 Unprocessable Entity: Status: closed prevents ticket update';
const FD_404 = 'Freshdesk answered 404 Not Found: ticket 4821 does not exist';
const JIRA_400 = "Jira answered 400 Bad Request: Field 'priority' cannot be set. It is not on the appropriate screen, or unknown.";
const ME = `${userInfo().username}@${hostname()}`;

function webhook(vendor: NewInboxEvent['vendor'], file: string, entityKey: string, eventType: string, dedupeKey: string, headers: Record<string, string>, minute: number): NewInboxEvent {
  const text = fixtureText(`webhooks/${file}`);
  return { vendor, connectionId: 'default', entityKey, dedupeKey, dedupeWindowMs: null, eventType, source: 'webhook', payload: JSON.parse(text) as unknown, payloadText: text, headers, receivedAt: at(minute) };
}

/** Claims the next event (it must be this one) and gives up on it, as the worker does. */
async function kill(store: Store, eventId: number, error: string, minute: number): Promise<void> {
  const claimed = await store.claimNext(WORKER, at(minute), 60_000);
  expect(claimed?.id).toBe(eventId);
  await store.deadLetter(eventId, WORKER, error, at(minute + 1));
}

let zdEvent: number;
let fdEvent: number;
let jiraEvent: number;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'hs-dead-letters-cli-'));
  dbFile = path.join(dir, 'helpdesk-sync.db');
  await withStore(async (store) => {
    zdEvent = (
      await store.enqueue(
        webhook(
          'zendesk',
          'zendesk-comment-added.json',
          'ticket:5158',
          'zen:event-type:ticket.comment_added',
          'delivery:d4f5c389-8f4a-4c2e-a1b9-8e4f39c71d52',
          // The intake never keeps a signature; were one there, show must not print it.
          { 'x-zendesk-webhook-id': '01HZX3QK7Y2V', 'x-zendesk-webhook-invocation-id': '8350205', 'x-zendesk-webhook-signature': 'c2lnbmF0dXJlLW5vdC1mb3ItZXllcw==' },
          0,
        ),
      )
    ).eventId;
    fdEvent = (await store.enqueue(webhook('freshdesk', 'freshdesk-ticket-updated.json', 'ticket:4821', 'ticket_updated', 'sha256:5a1f', {}, 1))).eventId;
    jiraEvent = (
      await store.enqueue(webhook('jira', 'jira-issue-updated.json', 'issue:10002', 'jira:issue_updated', 'delivery:9b3c1e1d-1f0e-4f7a', { 'x-atlassian-webhook-identifier': '9b3c1e1d-1f0e-4f7a' }, 2))
    ).eventId;
    await kill(store, zdEvent, ZD_422, 3);
    await kill(store, fdEvent, FD_404, 5);
    await kill(store, jiraEvent, JIRA_400, 7);
  });
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('helpdesk-sync dead-letters', () => {
  it('list: one line per open dead letter, then a count and what to do next', () => {
    const run = cli('dead-letters', 'list');
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 3)).toEqual([
      `#1 ${at(4).toISOString()} zendesk/default ticket:5158 zen:event-type:ticket.comment_added after 1 attempt(s): ${ZD_422}`,
      `#2 ${at(6).toISOString()} freshdesk/default ticket:4821 ticket_updated after 1 attempt(s): ${FD_404}`,
      `#3 ${at(8).toISOString()} jira/default issue:10002 jira:issue_updated after 1 attempt(s): ${JIRA_400}`,
    ]);
    expect(lines[4]).toMatch(/^3 open dead letter\(s\)\. `dead-letters show ID` shows one/);
  });

  it('list --json and replay --list --json: the same JSON array, and --vendor narrows it', () => {
    const letters = json<DeadLetter[]>(cli('dead-letters', 'list', '--json'));
    expect(letters.map((l) => [l.id, l.eventId, l.vendor, l.state, l.deaths])).toEqual([
      [1, zdEvent, 'zendesk', 'open', 1],
      [2, fdEvent, 'freshdesk', 'open', 1],
      [3, jiraEvent, 'jira', 'open', 1],
    ]);
    expect(json<DeadLetter[]>(cli('replay', '--list', '--json'))).toEqual(letters);
    expect(json<DeadLetter[]>(cli('dead-letters', 'list', '--vendor', 'freshdesk', '--json')).map((l) => l.id)).toEqual([2]);
  });

  it('show: the event, its last error, headers without secrets, a payload summary and the history', () => {
    const run = cli('dead-letters', 'show', '1');
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    const out = run.stdout;
    expect(out).toMatch(/^Dead letter #1: open: dead, waiting for a replay or a discard$/m);
    expect(out).toMatch(new RegExp(`^ {2}Event +#${zdEvent} zendesk/default ticket:5158 zen:event-type:ticket.comment_added$`, 'm'));
    expect(out).toMatch(new RegExp(`^ {2}Source +webhook, received ${at(0).toISOString()}$`, 'm'));
    expect(out).toMatch(/^ {2}Inbox +dead$/m);
    expect(out).toMatch(new RegExp(`^ {2}Died +${at(4).toISOString()} after 1 attempt\\(s\\)$`, 'm'));
    expect(out).toContain(`Last error   ${ZD_422}`);
    expect(out).toContain('x-zendesk-webhook-id: 01HZX3QK7Y2V, x-zendesk-webhook-invocation-id: 8350205, x-zendesk-webhook-signature: [redacted]');
    expect(out).not.toContain('c2lnbmF0dXJl');
    expect(out).toMatch(/^ {2}Payload +\d+ B of JSON; type="zen:event-type:ticket.comment_added", .*detail.subject="Cannot login to mobile app", detail.status="OPEN"/m);
    // A summary, not the customer's words.
    expect(out).not.toContain('Since this morning the iOS app rejects my password.');
    expect(out).toMatch(/^History \(1\):$/m);
    expect(out).toContain(`  ${at(4).toISOString()}  died       after 1 attempt(s) in ${WORKER}: ${ZD_422}`);
    expect(out).toContain('Next: `dead-letters replay 1` requeues it; `dead-letters discard 1 --reason "..."` gives it up.');
  });

  it('show --json: the letter with its history and event; --payload adds the whole payload', () => {
    type Shown = DeadLetter & { history: Array<{ action: string; by: string }>; event: { source: string; status: string; headers: Record<string, string>; payloadSummary: { fields: Record<string, string> }; payload?: unknown } };
    const shown = json<Shown>(cli('dead-letters', 'show', '2', '--json'));
    expect(shown).toMatchObject({ id: 2, eventId: fdEvent, vendor: 'freshdesk', state: 'open', error: FD_404, history: [{ action: 'dead', by: WORKER }] });
    expect(shown.event).toMatchObject({ source: 'webhook', status: 'dead', headers: {} });
    expect(shown.event.payloadSummary.fields).toMatchObject({ event: 'ticket_updated', ticket_id: '4821', subject: 'Cannot export invoices', status: 'Pending' });
    expect(shown.event.payload).toBeUndefined();
    const whole = json<Shown>(cli('dead-letters', 'show', '1', '--json', '--payload'));
    expect(whole.event.headers['x-zendesk-webhook-signature']).toBe('[redacted]');
    expect((whole.event.payload as { detail: { description: string } }).detail.description).toBe('Since this morning the iOS app rejects my password.');
  });

  it('show of an unknown id: exit 1, the reason on stderr, nothing on stdout', () => {
    const run = cli('dead-letters', 'show', '99', '--json');
    expect(run).toEqual({ status: 1, stdout: '', stderr: 'No dead letter #99. `dead-letters list --all` lists every one.\n' });
    expect(cli('dead-letters', 'show', 'seven').status).toBe(2);
  });

  it('replay ID requeues it; when it dies again it keeps its id, and show lists each attempt', async () => {
    const run = cli('dead-letters', 'replay', '1');
    expect(run).toMatchObject({ status: 0, stderr: '' });
    expect(run.stdout).toBe('Requeued 1 dead letter(s) (#1); a running server processes them now.\n');
    expect(await withStore((s) => s.getEvent(zdEvent))).toMatchObject({ status: 'pending', source: 'replay', attempts: 0 });
    expect(json<DeadLetter[]>(cli('dead-letters', 'list', '--json')).map((l) => l.id)).toEqual([2, 3]);

    // A worker runs it again: Zendesk still refuses.
    await withStore(async (store) => {
      const claimed = await store.claimNext(WORKER, new Date(), 60_000);
      expect(claimed?.id).toBe(zdEvent);
      await store.deadLetter(zdEvent, WORKER, `${ZD_422} (still closed)`, new Date());
    });
    const letters = json<DeadLetter[]>(cli('dead-letters', 'list', '--all', '--json'));
    expect(letters.map((l) => [l.id, l.eventId, l.state, l.deaths])).toEqual([
      [1, zdEvent, 'open', 2],
      [2, fdEvent, 'open', 1],
      [3, jiraEvent, 'open', 1],
    ]);
    const shown = json<{ history: Array<{ action: string; by: string; error: string | null }> }>(cli('dead-letters', 'show', '1', '--json'));
    expect(shown.history.map((h) => [h.action, h.by, h.error])).toEqual([
      ['dead', WORKER, ZD_422],
      ['replayed', ME, null],
      ['dead', WORKER, `${ZD_422} (still closed)`],
    ]);
    const text = cli('dead-letters', 'show', '1').stdout;
    expect(text).toMatch(/^History \(3\):$/m);
    expect(text).toMatch(new RegExp(`^ {2}\\S+ {2}replayed {3}by ${ME.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    expect(text).toMatch(/died 2 times in all/);
    expect(cli('dead-letters', 'list').stdout).toMatch(/^#1 .* after 1 attempt\(s\), died 2 times: .*\(still closed\)$/m);
  });

  it('discard ID --reason: the letter leaves list and --all replays, the event stays in the inbox, dead', async () => {
    const reason = 'Ticket 4821 was deleted in Freshdesk; nothing left to sync';
    const run = cli('dead-letters', 'discard', '2', '--reason', reason);
    expect(run).toMatchObject({ status: 0, stderr: '' });
    expect(run.stdout).toBe(
      `Discarded dead letter #2 (freshdesk/default ticket:4821 ticket_updated) as ${ME}: ${reason}\n` +
        `Its event #${fdEvent} stays in the inbox, dead; \`dead-letters replay 2\` would bring it back.\n`,
    );
    expect(json<DeadLetter[]>(cli('dead-letters', 'list', '--json')).map((l) => l.id)).toEqual([1, 3]);
    const all = json<DeadLetter[]>(cli('dead-letters', 'list', '--include-replayed', '--json'));
    expect(all.find((l) => l.id === 2)).toMatchObject({ state: 'discarded', discardedBy: ME, discardReason: reason });
    expect(cli('dead-letters', 'list', '--all').stdout).toContain(`[discarded `);

    expect(cli('dead-letters', 'replay', '--all').stdout).toBe('Requeued 2 dead letter(s); a running server processes them now.\n');
    const events = await withStore(async (s) => [await s.getEvent(zdEvent), await s.getEvent(fdEvent), await s.getEvent(jiraEvent)]);
    expect(events.map((e) => e?.status)).toEqual(['pending', 'dead', 'pending']);
    expect(events[1]).toMatchObject({ lastError: FD_404, eventType: 'ticket_updated' });
    const history = json<{ history: Array<{ action: string; reason: string | null }> }>(cli('dead-letters', 'show', '2', '--json')).history;
    expect(history.map((h) => [h.action, h.reason])).toEqual([
      ['dead', null],
      ['discarded', reason],
    ]);
  });

  it('discard refuses what cannot be discarded, with exit 1 (unknown, replayed) or 2 (no reason)', () => {
    expect(cli('dead-letters', 'discard', '2', '--reason', 'again')).toMatchObject({ status: 0, stdout: expect.stringMatching(/^Dead letter #2 was already discarded .*Nothing changed\.\n$/) });
    const replayed = cli('dead-letters', 'discard', '3', '--reason', 'obsolete');
    expect(replayed).toMatchObject({ status: 1, stdout: '' });
    expect(replayed.stderr).toMatch(/^Dead letter #3 was replayed \S+ and its event is back in the inbox \(not dead\): nothing to discard\.\n$/);
    expect(cli('dead-letters', 'discard', '99', '--reason', 'x')).toMatchObject({ status: 1, stdout: '', stderr: 'No dead letter #99. `dead-letters list --all` lists every one.\n' });
    const noReason = cli('dead-letters', 'discard', '1');
    expect(noReason.status).toBe(2);
    expect(noReason.stderr).toMatch(/required option '--reason <text>' not specified/);
    expect(cli('dead-letters', 'discard', '1', '--reason', '   ')).toMatchObject({ status: 2, stderr: expect.stringMatching(/--reason: say why/) });
  });

  it('replay ID of a discarded letter brings it back; unknown ids fail the whole command; no ids and no --all is a usage error', async () => {
    const unknown = cli('dead-letters', 'replay', '2', '99');
    expect(unknown).toMatchObject({ status: 1, stdout: '', stderr: 'No dead letter #99; nothing requeued. `dead-letters list --all` lists every one.\n' });
    expect((await withStore((s) => s.getEvent(fdEvent)))?.status).toBe('dead');

    const back = cli('replay', '--id', '2', '--id', '3');
    expect(back.status).toBe(0);
    expect(back.stdout).toBe(`#3 was replayed ${json<{ replayedAt: string }>(cli('dead-letters', 'show', '3', '--json')).replayedAt} and has not died since: skipped.\nRequeued 1 dead letter(s) (#2); a running server processes them now.\n`);
    expect((await withStore((s) => s.getEvent(fdEvent)))?.status).toBe('pending');
    expect(json<DeadLetter>(cli('dead-letters', 'show', '2', '--json'))).toMatchObject({ state: 'replayed', discardedAt: null });

    expect(cli('dead-letters', 'replay')).toMatchObject({ status: 2, stderr: 'give dead-letter ids, or --all\n' });
    expect(cli('dead-letters', 'replay', '1', '--all').status).toBe(2);
    expect(cli('dead-letters', 'list').stdout).toBe('No dead letters (none open; `dead-letters list --all` shows replayed and discarded ones).\n');
    expect(cli('replay').stdout).toBe('Nothing to replay: no open dead letters match.\n');
  });
});

/**
 * On PostgreSQL the CLI's replay and discard go through pg-boss too: a replay sends the event's
 * new inbox job and removes its dead-queue copy; an event that dies again is copied there under
 * the same dead-letter id; a discard removes the copy.
 */
describeStore('postgres', 'helpdesk-sync dead-letters on PostgreSQL with pg-boss', (makeStore) => {
  let store: PgStore;
  let jobs: PgBossJobs;
  let env: Record<string, string>;
  const bossSchema = `hs_test_clidl_${process.pid}_${randomBytes(3).toString('hex')}`;

  function pgCli(...args: string[]) {
    const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'main.ts'), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'error', ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  }

  beforeAll(async () => {
    store = makeStore() as PgStore;
    const url = new URL(TEST_DATABASE_URL);
    url.searchParams.set('options', `-c search_path=${store.connection.schema}`);
    env = { DATABASE_URL: url.toString(), PGBOSS_SCHEMA: bossSchema };
    // The server's side: pg-boss's hooks on the store, as when the worker dead-letters an event.
    jobs = await PgBossJobs.start({ store, logger: createLogger({ level: 'silent' }), retry: { maxAttempts: 5, backoffBaseMs: 1000, backoffMaxMs: 60_000, leaseMs: 60_000 }, supervise: false, schema: bossSchema });
  }, 60_000);

  afterAll(async () => {
    await jobs?.stop();
    const client = new Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(bossSchema)} CASCADE`);
    await client.end();
  });

  const deadCopies = async () => (await jobs.boss.findJobs<DeadJobData>(DEAD_QUEUE)).map((j) => [j.data.eventId, j.data.deadLetterId]);
  const inboxJobs = async (eventId: number) => (await jobs.boss.findJobs<{ eventId: number }>(INBOX_QUEUE, { data: { eventId } })).length;

  it('replay sends a new job and drops the dead copy; dead again, same id; discard drops the copy', async () => {
    const { eventId } = await store.enqueue(webhook('zendesk', 'zendesk-comment-added.json', 'ticket:5158', 'zen:event-type:ticket.comment_added', 'delivery:d4f5c389', {}, 0));
    await kill(store, eventId, ZD_422, 1);
    const [letter] = await store.listDeadLetters();
    expect(await deadCopies()).toEqual([[eventId, letter!.id]]);

    expect(json<DeadLetter[]>(pgCli('dead-letters', 'list', '--json')).map((l) => [l.id, l.state])).toEqual([[letter!.id, 'open']]);
    expect(pgCli('dead-letters', 'replay', String(letter!.id))).toEqual({ status: 0, stdout: `Requeued 1 dead letter(s) (#${letter!.id}); a running server processes them now.\n`, stderr: '' });
    expect(await deadCopies()).toEqual([]);
    expect(await inboxJobs(eventId)).toBe(2);

    const claimed = await store.claimNext(WORKER, new Date(), 60_000);
    expect(claimed?.id).toBe(eventId);
    await store.deadLetter(eventId, WORKER, `${ZD_422} (still closed)`, new Date());
    expect(await deadCopies()).toEqual([[eventId, letter!.id]]);
    const shown = json<{ id: number; deaths: number; history: Array<{ action: string }> }>(pgCli('dead-letters', 'show', String(letter!.id), '--json'));
    expect(shown).toMatchObject({ id: letter!.id, deaths: 2 });
    expect(shown.history.map((h) => h.action)).toEqual(['dead', 'replayed', 'dead']);

    expect(pgCli('dead-letters', 'discard', String(letter!.id), '--reason', 'customer closed the ticket').status).toBe(0);
    expect(await deadCopies()).toEqual([]);
    expect((await store.getEvent(eventId))?.status).toBe('dead');
    expect(pgCli('dead-letters', 'list').stdout).toMatch(/^No dead letters \(none open/);
  }, 60_000);
});
