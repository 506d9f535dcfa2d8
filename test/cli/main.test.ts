import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { printWhereToLook, type DemoRun } from '../../src/sandbox/demo/run-demo';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { fixtureText } from '../helpers/fixtures';

/** The CLI's frame as a person meets it: --version, usage errors, serve --port, and the demo's hints run as printed. */
const ROOT = path.join(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'src', 'cli', 'main.ts');
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
let dir: string;
let dbFile: string;
const children: ChildProcess[] = [];

function cli(args: string[], env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: dbFile, LOG_LEVEL: 'error', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function answers(port: number): Promise<number | null> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2000) })).status;
  } catch {
    return null;
  }
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'hs-main-cli-'));
  dbFile = path.join(dir, 'helpdesk-sync.db');
  // One Zendesk webhook that died, for the demo's hint to find.
  const store = new SqliteStore(dbFile);
  const text = fixtureText('webhooks/zendesk-status-changed.json');
  const { eventId } = await store.enqueue({ vendor: 'zendesk', connectionId: 'default', entityKey: 'ticket:5158', dedupeKey: 'delivery:6c2f3a4b', dedupeWindowMs: null, eventType: 'zen:event-type:ticket.status_changed', source: 'webhook', payload: JSON.parse(text) as unknown, payloadText: text, headers: {}, receivedAt: new Date('2025-01-08T14:25:30Z') });
  await store.claimNext('demo-worker', new Date('2025-01-08T14:25:31Z'), 60_000);
  await store.deadLetter(eventId, 'demo-worker', 'Zendesk answered 422 Unprocessable Entity', new Date('2025-01-08T14:25:32Z'));
  await store.close();
}, 60_000);

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('helpdesk-sync', () => {
  it('--version prints package.json\'s version, -V too, exit 0', () => {
    expect(cli(['--version'])).toEqual({ status: 0, stdout: `${VERSION}\n`, stderr: '' });
    expect(cli(['-V']).stdout).toBe(`${VERSION}\n`);
    const help = cli(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^ {2}status \[options\] +the store, the inbox, dead letters/m);
    expect(help.stdout).toMatch(/^ {2}-V, --version +print the version/m);
  });

  it('usage errors exit 2 with the reason on stderr', () => {
    const unknown = cli(['status', '--verbose']);
    expect(unknown).toMatchObject({ status: 2, stdout: '' });
    expect(unknown.stderr).toMatch(/unknown option '--verbose'/);
    const badPort = cli(['serve', '--port', '70000']);
    expect(badPort).toMatchObject({ status: 2, stdout: '' });
    expect(badPort.stderr).toMatch(/--port <port>' argument '70000' is invalid\. expected a port from 0 to 65535/);
    expect(cli(['dead-letters']).status).toBe(2);
    expect(cli(['no-such-command']).status).toBe(2);
  });

  it('serve --port listens there, not on PORT', async () => {
    const [port, other] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--port', String(port)], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: path.join(dir, 'serve.db'), LOG_LEVEL: 'info', PORT: String(other) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let log = '';
    child.stdout?.on('data', (c: Buffer) => (log += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (log += c.toString()));
    const deadline = Date.now() + 30_000;
    while ((await answers(port)) !== 200) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`serve --port ${port} did not answer: ${log}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(await answers(other)).toBeNull();
    expect(log).toMatch(new RegExp(`helpdesk-sync listening.*port.${port}`));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);
});

describe("the demo's hints", () => {
  function fakeRun(databaseUrl: string, jobSchema = 'pgboss'): DemoRun {
    const urls = { freshdesk: 'http://127.0.0.1:4010', zendesk: 'http://127.0.0.1:4011', jira: 'http://127.0.0.1:4012' };
    return {
      service: { url: 'http://127.0.0.1:3000', loaded: { config: { database: { url: databaseUrl, jobSchema } } } },
      sandboxes: { urls },
      dataDir: dir,
      auditToken: 'demo-token',
    } as unknown as DemoRun;
  }

  function hints(run: DemoRun): string[] {
    const lines: string[] = [];
    printWhereToLook((l = '') => lines.push(l), run);
    return lines;
  }

  it('name a command that works as written in a checkout: npm run cli with the demo\'s DATABASE_URL', () => {
    const lines = hints(fakeRun(dbFile));
    const line = lines.find((l) => l.includes('dead-letters list'));
    expect(line).toBe(`  DATABASE_URL='${dbFile}' npm run cli -- dead-letters list   dead letters, if any`);
    expect(lines).toContain('  (after npm install -g, `helpdesk-sync <command>` is the same as `npm run cli -- <command>`)');
    // Run it as a person pastes it into a shell in the checkout.
    const command = (line as string).trim().replace(/ {3}dead letters, if any$/, '');
    const run = spawnSync('sh', ['-c', command], { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'error' }, encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^#1 2025-01-08T14:25:32\.000Z zendesk\/default ticket:5158 zen:event-type:ticket\.status_changed after 1 attempt\(s\): Zendesk answered 422 Unprocessable Entity$/m);
    const status = lines.find((l) => l.includes(' status '));
    expect(status).toMatch(/^ {2}DATABASE_URL='.*' npm run cli -- status +the store, inbox, connections and jobs at a glance$/);
  });

  it('on PostgreSQL also name the pg-boss schema of the demo', () => {
    const url = 'postgres://postgres@127.0.0.1:5432/test?options=-c%20search_path%3Dhelpdesk_sync_demo_x';
    const line = hints(fakeRun(url, 'helpdesk_sync_demo_x_pgboss')).find((l) => l.includes('dead-letters list'));
    expect(line).toBe(`  DATABASE_URL='${url}' PGBOSS_SCHEMA='helpdesk_sync_demo_x_pgboss' npm run cli -- dead-letters list   dead letters, if any`);
  });
});
