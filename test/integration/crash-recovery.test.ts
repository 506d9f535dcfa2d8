import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { fullEnv, SECRETS } from '../helpers/env';
import { fixture } from '../helpers/fixtures';
import { zendeskSignature } from '../helpers/sign';

/**
 * The durability promise, tested for real: events acknowledged before a kill -9 of the server
 * are processed after it restarts. The server runs as its own process (the CLI), Zendesk is a
 * small HTTP server in this test that holds every request open until the kill.
 */

const ROOT = path.resolve(__dirname, '..', '..');
const TICKETS = ['5158', '5159', '5160'];

interface FakeZendesk {
  server: Server;
  url: string;
  hang: boolean;
  fetched: Map<string, number>;
  held: ServerResponse[];
}

function ticketBody(id: string): unknown {
  const show = fixture<{ ticket: Record<string, unknown> }>('zendesk/api/ticket-show.json');
  return { ...show, ticket: { ...show.ticket, id: Number(id) } };
}

async function startFakeZendesk(): Promise<FakeZendesk> {
  const fake: FakeZendesk = { server: createServer(), url: '', hang: true, fetched: new Map(), held: [] };
  fake.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const show = /^\/api\/v2\/tickets\/(\d+)\.json/.exec(req.url ?? '');
    const comments = /^\/api\/v2\/tickets\/(\d+)\/comments\.json/.exec(req.url ?? '');
    if (show?.[1]) fake.fetched.set(show[1], (fake.fetched.get(show[1]) ?? 0) + 1);
    if (fake.hang) {
      fake.held.push(res);
      return;
    }
    res.setHeader('Content-Type', 'application/json');
    // Writes the policy engine makes (T4 sees three tickets of one requester with one subject).
    if (req.method === 'PUT' && /\/tags\.json/.test(req.url ?? '')) return res.end(JSON.stringify({ tags: ['mobile', 'login', 'possible-duplicate'] }));
    if (req.method === 'PUT') return res.end(JSON.stringify(fixture('zendesk/api/update-private-note.json')));
    if (show?.[1]) return res.end(JSON.stringify(ticketBody(show[1])));
    if (comments) return res.end(JSON.stringify(fixture('zendesk/api/ticket-comments.json')));
    res.statusCode = 404;
    return res.end('{"error":"RecordNotFound"}');
  });
  await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
  return fake;
}

function startServer(env: Record<string, string | undefined>): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    // node itself with tsx's loader: one process, so SIGKILL hits the server and nothing else.
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'main.ts'), 'serve'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...env } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 20_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.includes('helpdesk-sync listening'));
      if (line) {
        clearTimeout(timer);
        resolve({ child, port: (JSON.parse(line) as { port: number }).port });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
}

async function until(check: () => boolean | Promise<boolean>, what: string | (() => Promise<string>), ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${typeof what === 'string' ? what : await what()}`);
}

async function postSigned(port: number, body: string): Promise<number> {
  const ts = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const res = await fetch(`http://127.0.0.1:${port}/webhooks/zendesk`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-Zendesk-Webhook-Signature': zendeskSignature(SECRETS.zendeskWebhook, ts, body),
      'X-Zendesk-Webhook-Signature-Timestamp': ts,
    },
    body,
  });
  return res.status;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

describe('kill -9 of the server', () => {
  let fake: FakeZendesk;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    fake = await startFakeZendesk();
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const res of fake.held) res.destroy();
    await new Promise((r) => fake.server.close(r));
  });

  it('loses no acknowledged event: after restart every one is processed', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hs-crash-'));
    const db = path.join(dir, 'helpdesk-sync.db');
    const env = fullEnv({
      DATABASE_URL: db,
      PORT: '0',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      ZENDESK_URL: fake.url,
      FRESHDESK_URL: undefined,
      JIRA_URL: undefined,
    });

    const first = await startServer(env);
    children.push(first.child);
    const statuses: number[] = [];
    for (const id of TICKETS) {
      for (const n of [1, 2]) {
        const body = JSON.stringify({ ticket_id: id, event: `ticket_updated_${n}`, updated_at: `2025-01-08T14:2${n}:00Z` });
        statuses.push(await postSigned(first.port, body));
      }
    }
    expect(statuses).toEqual([202, 202, 202, 202, 202, 202]);
    // The worker is inside a vendor call (held open) when the process dies.
    await until(() => fake.fetched.size > 0, 'the worker to start fetching');
    first.child.kill('SIGKILL');
    await exited(first.child);
    expect(first.child.signalCode).toBe('SIGKILL');
    for (const res of fake.held.splice(0)) res.destroy();

    fake.hang = false;
    const second = await startServer(env);
    children.push(second.child);
    await until(() => TICKETS.every((id) => (fake.fetched.get(id) ?? 0) >= 1) && fake.held.length === 0, 'every ticket to be fetched');
    const store = new SqliteStore(db);
    try {
      await until(
        async () => (await store.inboxCounts()).done === 6,
        async () => `all six events done; inbox ${JSON.stringify(await store.inboxCounts())}, errors: ${(await store.listEvents({})).map((e) => e.lastError ?? '-').join(' | ')}`,
      );
      expect(await store.inboxCounts()).toEqual({ pending: 0, processing: 0, done: 6, dead: 0 });
      for (const id of TICKETS) {
        const snap = await store.getSnapshot({ vendor: 'zendesk', connectionId: 'default', id });
        expect(snap?.deleted).toBe(false);
        expect((snap?.data as { id: string }).id).toBe(id);
      }
    } finally {
      await store.close();
    }
    second.child.kill('SIGTERM');
    await exited(second.child);
    expect(second.child.exitCode).toBe(0);
  }, 60_000);
});
