import { chmodSync, existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { openStore, StoreConfigError } from '../../src/store/open-store';
import { PgStore } from '../../src/store/postgres/pg-store';
import { sqlitePathOf } from '../../src/store/sqlite/sqlite-store';
import { describeStore, TEST_DATABASE_URL } from '../helpers/stores';

describe('openStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'hds-open-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  // Nothing listens on port 1: these open (synchronously) without a server, and say so in health().
  it.each(['postgres://u:p@127.0.0.1:1/helpdesk', 'postgresql://127.0.0.1:1/helpdesk', 'POSTGRES://127.0.0.1:1/x'])('opens a PgStore for %s', async (url) => {
    const store = openStore(url);
    expect(store).toBeInstanceOf(PgStore);
    expect(store.kind).toBe('postgres');
    const health = await store.health();
    expect(health.ok).toBe(false);
    expect(health.error).toEqual(expect.any(String));
    await store.close();
  });

  it('refuses other URL schemes', () => {
    expect(() => openStore('mysql://db/x')).toThrow(StoreConfigError);
    expect(() => openStore('mysql://db/x')).toThrow(/DATABASE_URL: unsupported scheme in mysql:\/\//);
  });

  it.each([
    ['sqlite:', (f: string) => `sqlite:${f}`],
    ['sqlite://', (f: string) => `sqlite://${f}`],
    ['file:', (f: string) => `file:${f}`],
    ['a plain path', (f: string) => f],
  ])('opens a SQLite file from %s', async (_label, toUrl) => {
    const file = path.join(dir, 'db.sqlite');
    const store = openStore(toUrl(file));
    expect(store.kind).toBe('sqlite');
    expect((await store.health()).ok).toBe(true);
    await store.close();
    expect(existsSync(file)).toBe(true);
  });

  it.each(['sqlite:', 'sqlite://', 'file:', 'file://', 'SQLITE:'])('refuses %s, which names no file', (url) => {
    expect(() => openStore(url)).toThrow(StoreConfigError);
    expect(() => openStore(url)).toThrow(`DATABASE_URL ${url} names no file: expected a SQLite path such as sqlite:data/helpdesk-sync.db, or :memory:`);
  });

  it('refuses a PostgreSQL URL that does not parse, without showing its password', () => {
    const url = 'postgres://helpdesk:s3cr#t@db.internal:5432x/helpdesk';
    expect(() => openStore(url)).toThrow(StoreConfigError);
    let message = '';
    try {
      openStore(url);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^DATABASE_URL postgres:\/\/\*\*\*@db\.internal:5432x\/helpdesk is not a valid PostgreSQL URL/);
    expect(message).not.toContain('s3cr');
  });

  it('refuses a SQLite path in a folder that does not exist, and creates nothing', () => {
    const file = path.join(dir, 'missing', 'helpdesk-sync.db');
    expect(() => openStore(`sqlite:${file}`)).toThrow(StoreConfigError);
    expect(() => openStore(`sqlite:${file}`)).toThrow(
      `DATABASE_URL sqlite:${file} (${file}): the folder ${path.join(dir, 'missing')} does not exist; create it, or point DATABASE_URL at an existing folder (only the default data/ folder is created)`,
    );
    expect(existsSync(path.join(dir, 'missing'))).toBe(false);
  });

  it('refuses a file that is not a SQLite database, naming DATABASE_URL and the path', () => {
    const file = path.join(dir, 'notes.txt');
    writeFileSync(file, 'Escalation notes, not a database\n'.repeat(200));
    expect(() => openStore(file)).toThrow(StoreConfigError);
    expect(() => openStore(file)).toThrow(`DATABASE_URL ${file}: ${file} is not a SQLite database (file is not a database)`);
  });

  it('refuses a folder given as the database file', () => {
    expect(() => openStore(dir)).toThrow(`DATABASE_URL ${dir}: ${dir} is a folder, not a SQLite file`);
  });

  it('creates the missing default data/ folder and says so', async () => {
    const cwd = process.cwd();
    const notices: string[] = [];
    process.chdir(dir);
    try {
      const store = openStore('data/helpdesk-sync.db', { notice: (m) => notices.push(m) });
      expect((await store.health()).ok).toBe(true);
      await store.close();
    } finally {
      process.chdir(cwd);
    }
    expect(existsSync(path.join(dir, 'data', 'helpdesk-sync.db'))).toBe(true);
    expect(notices).toEqual([`Created the data folder ${path.join(realpathSync(dir), 'data')} for DATABASE_URL data/helpdesk-sync.db`]);
  });

  // Permissions bind everyone but root; the CLI test runs these cases as another user under root.
  const asUser = process.getuid?.() !== 0 ? it : it.skip;
  asUser('refuses a read-only file and an unreadable one by name', () => {
    const readOnly = path.join(dir, 'read-only.db');
    const unreadable = path.join(dir, 'unreadable.db');
    for (const f of [readOnly, unreadable]) void openStore(f).close();
    chmodSync(readOnly, 0o444);
    chmodSync(unreadable, 0o000);
    expect(() => openStore(readOnly)).toThrow(`DATABASE_URL ${readOnly}: the file ${readOnly} is read-only; helpdesk-sync writes to its store`);
    expect(() => openStore(unreadable)).toThrow(`DATABASE_URL ${unreadable}: the file ${unreadable} cannot be read (permission denied)`);
  });

  it('opens an in-memory store', async () => {
    for (const url of [':memory:', 'sqlite::memory:']) {
      const store = openStore(url);
      expect((await store.health()).ok).toBe(true);
      await store.close();
    }
  });

  it('maps URLs to paths', () => {
    expect(sqlitePathOf('sqlite:data/x.db')).toBe('data/x.db');
    expect(sqlitePathOf('sqlite:///var/lib/x.db')).toBe('/var/lib/x.db');
    expect(sqlitePathOf('file:/var/lib/x.db')).toBe('/var/lib/x.db');
    expect(sqlitePathOf('data/helpdesk-sync.db')).toBe('data/helpdesk-sync.db');
    expect(sqlitePathOf('sqlite::memory:')).toBe(':memory:');
    expect(sqlitePathOf('sqlite:')).toBe('');
    expect(sqlitePathOf('file://')).toBe('');
  });
});

describeStore('postgres', 'openStore on a PostgreSQL server', () => {
  const schema = `hs_test_open_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  let admin: Client;
  beforeAll(async () => {
    admin = new Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA "${schema}"`);
  });
  afterAll(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  it('opens a working PgStore from a postgres:// DATABASE_URL, with the URL\'s own options', async () => {
    const url = new URL(TEST_DATABASE_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const store = openStore(url.toString());
    expect(store.kind).toBe('postgres');
    expect((await store.health()).ok).toBe(true);
    await store.setCursor('c', 'v', new Date(0));
    expect(await store.getCursor('c')).toBe('v');
    await store.close();
    const tables = await admin.query('SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2', [schema, 'sync_cursors']);
    expect(tables.rowCount).toBe(1);
  });
});
