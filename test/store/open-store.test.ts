import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, StoreConfigError } from '../../src/store/open-store';
import { sqlitePathOf } from '../../src/store/sqlite/sqlite-store';

describe('openStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'hds-open-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['postgres://u:p@db/helpdesk', 'postgresql://db/helpdesk', 'POSTGRES://db/x'])('refuses %s naming DATABASE_URL', (url) => {
    expect(() => openStore(url)).toThrow(StoreConfigError);
    expect(() => openStore(url)).toThrow(/DATABASE_URL/);
    expect(() => openStore(url)).toThrow(/PostgreSQL/);
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
