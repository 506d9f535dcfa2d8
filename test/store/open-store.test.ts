import { existsSync, mkdtempSync, rmSync } from 'node:fs';
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
    const file = path.join(dir, 'sub', 'db.sqlite');
    const store = openStore(toUrl(file));
    expect(store.kind).toBe('sqlite');
    expect((await store.health()).ok).toBe(true);
    await store.close();
    expect(existsSync(file)).toBe(true);
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
