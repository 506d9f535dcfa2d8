import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCheckConfig, type CheckConfigOptions } from '../../src/cli/check-config';
import { loadConfig } from '../../src/config/load';
import { startSandboxes, type Sandboxes } from '../../src/sandbox/world';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { SQLITE_SCHEMA_VERSION } from '../../src/store/sqlite/migrations';

/** `helpdesk-sync check-config` as an operator runs it: the real CLI, real YAML files, real stores. */
const ROOT = path.join(__dirname, '..', '..');
/** By its path, so the CLI also runs from a folder outside the checkout. */
const TSX = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
let dir: string;
let boxes: Sandboxes;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Asynchronous, so the sandboxes in this process keep answering while the CLI runs. */
function cli(args: string[], env: Record<string, string | undefined>, options: { cwd?: string; uid?: number } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, path.join(ROOT, 'src', 'cli', 'main.ts'), 'check-config', ...args], {
      cwd: options.cwd ?? ROOT,
      env: {
        PATH: process.env.PATH,
        ...(options.uid === undefined ? { HOME: process.env.HOME, TMPDIR: process.env.TMPDIR } : { HOME: permsDir }),
        LOG_LEVEL: 'error',
        ...env,
      },
      ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.uid }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

function yamlFile(name: string, lines: string[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** The sandboxes' own environment: all three vendors enabled, each with its integration user. */
const sandboxEnv = (extra: Record<string, string | undefined> = {}) => ({ ...boxes.env, DATABASE_URL: path.join(dir, 'helpdesk-sync.db'), ...extra });

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'hs-check-config-'));
  chmodSync(dir, 0o755);
  boxes = await startSandboxes();
}, 60_000);

let permsDir: string | undefined;

afterAll(async () => {
  await boxes?.close();
  rmSync(dir, { recursive: true, force: true });
  if (permsDir) rmSync(permsDir, { recursive: true, force: true });
});

describe('helpdesk-sync check-config', () => {
  it('passes a good configuration: the store kind and schema version, every connection (exit 0)', async () => {
    const run = await cli([], sandboxEnv());
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`Store: sqlite, ${path.join(dir, 'helpdesk-sync.db')}, schema version ${SQLITE_SCHEMA_VERSION} (current)`);
    expect(run.stdout).toContain('  zendesk/default: enabled; webhooks at /webhooks/zendesk/default');
    expect(run.stdout).toContain('check-config: everything checked is in order.');
  }, 60_000);

  it('refuses an unknown key with exit 2, naming the key, the file and the closest known key', async () => {
    const file = yamlFile('typo.yaml', ['worker:', '  concurency: 8', 'foo: bar']);
    const run = await cli([], sandboxEnv({ CONFIG_FILE: file }));
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`unknown key worker.concurency in ${file}: did you mean worker.concurrency?`);
    expect(run.stderr).toContain(`unknown key foo in ${file}: expected one of server, log,`);
    expect(run.stdout).not.toContain('Configuration is valid');
  }, 60_000);

  it('names an unset variable: an error for a required key, a warning for an optional one', async () => {
    const required = yamlFile('port.yaml', ['server:', '  port: ${HELPDESK_SYNC_PORT}']);
    const failed = await cli([], sandboxEnv({ CONFIG_FILE: required }));
    expect(failed.status).toBe(2);
    expect(failed.stderr).toContain(`environment variable HELPDESK_SYNC_PORT is not set (used by server.port in ${required})`);

    const optional = yamlFile('partner-b.yaml', [
      'connections:',
      '  zendesk:',
      '    - id: partner-b',
      `      url: ${boxes.urls.zendesk}`,
      '      email: helpdesk-sync@managingenergy.com',
      '      apiToken: ${PARTNER_B_ZENDESK_TOKEN}',
      '      webhookSecret: ${PARTNER_B_ZENDESK_WEBHOOK_SECRET}',
    ]);
    const warned = await cli([], sandboxEnv({ CONFIG_FILE: optional }));
    expect(warned.status).toBe(0);
    expect(warned.stdout).toContain(
      `  warning: environment variable PARTNER_B_ZENDESK_TOKEN is not set (used by connections.zendesk[partner-b].apiToken in ${optional}); the key is optional and stays unset: zendesk/partner-b stays disabled until it is set`,
    );
    expect(warned.stdout).toContain('  zendesk/partner-b: disabled (missing PARTNER_B_ZENDESK_TOKEN (connections.zendesk[partner-b].apiToken))');
    expect(warned.stdout).toContain('note: zendesk/partner-b is configured but disabled: set PARTNER_B_ZENDESK_TOKEN (connections.zendesk[partner-b].apiToken) (--strict makes this an error)');

    const strict = await cli(['--strict'], sandboxEnv({ CONFIG_FILE: optional }));
    expect(strict.status).toBe(2);
    expect(strict.stdout).toContain('  - zendesk/partner-b is configured but disabled: set PARTNER_B_ZENDESK_TOKEN (connections.zendesk[partner-b].apiToken)');
  }, 90_000);

  it('with every vendor disabled: a note, and exit 2 under --strict', async () => {
    const env = { DATABASE_URL: ':memory:' };
    const plain = await cli([], env);
    expect(plain.status).toBe(0);
    expect(plain.stdout).toContain('note: no helpdesk connection (Freshdesk or Zendesk) is enabled');
    const strict = await cli(['--strict'], env);
    expect(strict.status).toBe(2);
    expect(strict.stdout).toContain('check-config: 1 problem(s):\n  - no helpdesk connection (Freshdesk or Zendesk) is enabled: helpdesk-sync has no tickets to work on');
  }, 60_000);

  it.each<[string, (d: string) => string, (d: string) => string]>([
    ['an empty sqlite:', () => 'sqlite:', () => 'DATABASE_URL sqlite: names no file'],
    ['a folder that does not exist', (d) => path.join(d, 'no-such-folder', 'helpdesk-sync.db'), (d) => `DATABASE_URL ${path.join(d, 'no-such-folder', 'helpdesk-sync.db')}: the folder ${path.join(d, 'no-such-folder')} does not exist; create it`],
    ['a file that is not a database', (d) => path.join(d, 'export.csv'), (d) => `DATABASE_URL ${path.join(d, 'export.csv')}: ${path.join(d, 'export.csv')} is not a SQLite database`],
    ['a PostgreSQL URL that does not parse', () => 'postgres://helpdesk:pw@db.internal:port/helpdesk', () => 'DATABASE_URL postgres://***@db.internal:port/helpdesk is not a valid PostgreSQL URL'],
  ])('fails with exit 2 on %s, naming DATABASE_URL', async (_label, url, expected) => {
    writeFileSync(path.join(dir, 'export.csv'), 'ticket_id,subject\n7741,Dashboard shows no data\n'.repeat(100));
    const run = await cli([], { DATABASE_URL: url(dir) });
    expect(run.status).toBe(2);
    expect(run.stdout).toContain(`Store: cannot be opened: ${expected(dir)}`);
    expect(existsSync(path.join(dir, 'no-such-folder'))).toBe(false);
  }, 60_000);

  it('creates the default data/ folder and says so', async () => {
    const cwd = path.join(dir, 'fresh-install');
    mkdirSync(cwd);
    const run = await cli([], {}, { cwd });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`  Created the data folder ${path.join(cwd, 'data')} for DATABASE_URL data/helpdesk-sync.db`);
    expect(run.stdout).toContain(`Store: sqlite, data/helpdesk-sync.db (${path.join(cwd, 'data', 'helpdesk-sync.db')}), schema version ${SQLITE_SCHEMA_VERSION} (current)`);
    expect(existsSync(path.join(cwd, 'data', 'helpdesk-sync.db'))).toBe(true);
  }, 60_000);

  // Root reads and writes anything: the permission cases run as `nobody` there, in a folder of
  // the system's temp folder, since the test run's own temp folders (0700) keep `nobody` out.
  const uid = process.getuid?.() === 0 ? 65534 : undefined;
  // `nobody` must be able to run this checkout's node and sources: not so in a checkout under a
  // folder only root may enter (a CI clone in a 0700 temp folder, a Node in root's home).
  const nobodyCanRun =
    uid === undefined ||
    spawnSync(process.execPath, ['--import', TSX, path.join(ROOT, 'src', 'cli', 'main.ts'), '--version'], { cwd: '/', uid, gid: uid, env: { PATH: process.env.PATH }, timeout: 60_000 }).status === 0;
  if (!nobodyCanRun) {
    it.todo(`refuses a read-only and an unreadable store file by name (not run: as root the check needs another user, and nobody cannot run ${process.execPath} or read ${ROOT})`);
  }
  (nobodyCanRun ? it : it.skip)('refuses a read-only and an unreadable store file by name', async () => {
    const systemTmp = process.env.HS_TEST_TMP_ROOT ? path.dirname(process.env.HS_TEST_TMP_ROOT) : tmpdir();
    permsDir = mkdtempSync(path.join(uid === undefined ? dir : systemTmp, 'hs-check-config-perms-'));
    chmodSync(permsDir, 0o755);
    const folder = permsDir;
    const readOnly = path.join(folder, 'read-only.db');
    const unreadable = path.join(folder, 'unreadable.db');
    for (const f of [readOnly, unreadable]) await new SqliteStore(f).close();
    chmodSync(readOnly, 0o444);
    chmodSync(unreadable, 0o000);
    const ro = await cli([], { DATABASE_URL: readOnly }, { uid });
    expect(ro.status).toBe(2);
    expect(ro.stdout).toContain(`DATABASE_URL ${readOnly}: the file ${readOnly} is read-only; helpdesk-sync writes to its store`);
    const unread = await cli([], { DATABASE_URL: unreadable }, { uid });
    expect(unread.status).toBe(2);
    expect(unread.stdout).toContain(`DATABASE_URL ${unreadable}: the file ${unreadable} cannot be read (permission denied)`);
  }, 90_000);

  it('--online proves every enabled connection against the sandboxes (exit 0)', async () => {
    const run = await cli(['--online'], sandboxEnv());
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('  freshdesk/default: ok, signed in as helpdesk-sync <helpdesk-sync@acme.io>, id 43009817000');
    expect(run.stdout).toContain('  zendesk/default: ok, signed in as helpdesk-sync <helpdesk-sync@managingenergy.com>, id 8447388090000');
    expect(run.stdout).toContain('  jira/default: ok, signed in as helpdesk-sync <helpdesk-sync@acme.io>, id 712020:5f0c1e2a-9b7d-4a61-8e3f-0c2d4b6a8e10');
  }, 60_000);

  it('--online reports a wrong API key (401) and an unreachable host, and exits 2', async () => {
    const run = await cli(['--online'], sandboxEnv({ FRESHDESK_API_KEY: 'not-the-integration-key', JIRA_URL: 'http://127.0.0.1:1' }));
    expect(run.status).toBe(2);
    expect(run.stdout).toMatch(/ {2}freshdesk\/default: failed: 401, the credentials were refused \(.+\); check FRESHDESK_API_KEY\n/);
    expect(run.stdout).toContain('  zendesk/default: ok, signed in as helpdesk-sync');
    expect(run.stdout).toContain('  jira/default: failed: unreachable (ECONNREFUSED) at http://127.0.0.1:1; check JIRA_URL');
    expect(run.stdout).toContain('check-config: 2 problem(s):');
    expect(run.stdout).not.toContain('not-the-integration-key');
  }, 60_000);
});

describe('runCheckConfig', () => {
  const run = async (options: CheckConfigOptions, env: Record<string, string>) => {
    const lines: string[] = [];
    const status = await runCheckConfig(options, { write: (l) => lines.push(l), load: () => loadConfig({ env }) });
    return { status, lines };
  };

  it('writes through `write` and returns the status: a wrong Zendesk token fails --online', async () => {
    const { status, lines } = await run({ online: true }, { ...boxes.env, DATABASE_URL: ':memory:', ZENDESK_API_TOKEN: 'wrong-zendesk-token-123' });
    expect(status).toBe(2);
    expect(lines).toContain('Store: sqlite, :memory:, schema version ' + SQLITE_SCHEMA_VERSION + ' (current)');
    const online = lines.slice(lines.indexOf('Online check (who-am-I of each enabled connection):'));
    expect(online.find((l) => l.startsWith('  zendesk/default: '))).toMatch(/failed: 401, the credentials were refused .*; check ZENDESK_EMAIL and ZENDESK_API_TOKEN$/);
    expect(online.find((l) => l.startsWith('  freshdesk/default: ok'))).toBeDefined();
  });

  it('a disabled connection is not called online', async () => {
    const { status, lines } = await run({ online: true }, { DATABASE_URL: ':memory:', FRESHDESK_URL: boxes.urls.freshdesk, FRESHDESK_API_KEY: boxes.env.FRESHDESK_API_KEY as string });
    expect(status).toBe(0);
    const online = lines.slice(lines.indexOf('Online check (who-am-I of each enabled connection):'));
    expect(online.filter((l) => l.startsWith('  ')).map((l) => l.split(':')[0])).toEqual(['  freshdesk/default']);
  });
});
