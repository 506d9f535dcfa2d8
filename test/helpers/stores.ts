import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { PgStore } from '../../src/store/postgres/pg-store';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { ThreadedSqliteStore } from '../../src/store/sqlite/threaded-store';
import type { Store } from '../../src/store/types';

/**
 * The one way tests get stores: every contract test runs on each kind. PostgreSQL tests use
 * TEST_DATABASE_URL (default the local server's `test` database), a fresh schema per store,
 * dropped when the describe block ends. Without a reachable server the PostgreSQL variant is
 * skipped locally and fails in CI (CI=true).
 */
/** sqlite-thread: the SQLite store on its own thread, as `serve` runs it (a file per store). */
export type StoreKind = 'sqlite' | 'sqlite-thread' | 'postgres';
export const STORE_KINDS: readonly StoreKind[] = ['sqlite', 'sqlite-thread', 'postgres'];

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let probed: { ok: boolean; error: string } | undefined;

/**
 * Whether PostgreSQL answers, asked once per test file. Synchronous (a child process), because
 * jest collects describe blocks synchronously and must know then whether to skip.
 */
export function postgresAvailability(): { ok: boolean; error: string } {
  if (probed) return probed;
  const script = `
    const { Client } = require('pg');
    const c = new Client({ connectionString: process.argv[1], connectionTimeoutMillis: 2000 });
    c.connect().then(() => c.query('SELECT 1')).then(() => c.end()).then(
      () => process.exit(0),
      (e) => { process.stderr.write(String(e && e.message || e)); process.exit(1); });`;
  const r = spawnSync(process.execPath, ['-e', script, TEST_DATABASE_URL], { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8', timeout: 10_000 });
  probed = r.status === 0 ? { ok: true, error: '' } : { ok: false, error: (r.stderr || r.error?.message || `exit ${String(r.status)}`).trim() };
  return probed;
}

const inCi = () => process.env.CI === 'true';
let noted = false;

export interface StoreFactory {
  kind: StoreKind;
  /** A fresh, empty store (SQLite in memory; PostgreSQL in a schema of its own). */
  makeStore(): Store;
  /** A fresh store that openAgain() can open a second time (SQLite on a file). */
  makeDurableStore(): Store;
  /** Another store on the same database as `store` (which must come from makeDurableStore on SQLite). */
  openAgain(store: Store): Store;
  /** Two stores on one fresh database: two processes sharing it. */
  makeShared(): [Store, Store];
}

function sqliteFactory(threaded = false): StoreFactory & { cleanup(): Promise<void> } {
  const opened: Store[] = [];
  const files = new WeakMap<Store, string>();
  const dirs: string[] = [];
  const track = (store: Store, file?: string) => {
    opened.push(store);
    if (file) files.set(store, file);
    return store;
  };
  const openFile = (file: string) => track(threaded ? ThreadedSqliteStore.open(file) : new SqliteStore(file), file);
  const newFile = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hds-store-'));
    dirs.push(dir);
    return path.join(dir, 'store.db');
  };
  const factory = {
    kind: threaded ? ('sqlite-thread' as const) : ('sqlite' as const),
    makeStore: () => (threaded ? openFile(newFile()) : track(new SqliteStore(':memory:'))),
    makeDurableStore: () => openFile(newFile()),
    openAgain(store: Store): Store {
      const file = files.get(store);
      if (!file) throw new Error('openAgain: this SQLite store is in memory; make it with makeDurableStore()');
      return openFile(file);
    },
    makeShared(): [Store, Store] {
      const first = factory.makeDurableStore();
      return [first, factory.openAgain(first)];
    },
    async cleanup() {
      for (const s of opened.splice(0)) await s.close();
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
  return factory;
}

function postgresFactory(): StoreFactory & { cleanup(): Promise<void> } {
  const opened: Store[] = [];
  const schemas: string[] = [];
  const schemaOf = new WeakMap<Store, string>();
  let n = 0;
  const open = (schema: string) => {
    const store = new PgStore(TEST_DATABASE_URL, { schema, poolSize: 4 });
    opened.push(store);
    schemaOf.set(store, schema);
    return store;
  };
  const fresh = () => {
    n += 1;
    const schema = `hs_test_${process.pid}_${randomBytes(3).toString('hex')}_${n}`;
    schemas.push(schema);
    return open(schema);
  };
  const factory = {
    kind: 'postgres' as const,
    makeStore: fresh,
    makeDurableStore: fresh,
    openAgain(store: Store): Store {
      const schema = schemaOf.get(store);
      if (!schema) throw new Error('openAgain: not a store of this factory');
      return open(schema);
    },
    makeShared(): [Store, Store] {
      const first = fresh();
      return [first, factory.openAgain(first)];
    },
    async cleanup() {
      for (const s of opened.splice(0)) await s.close();
      const drop = schemas.splice(0);
      if (!drop.length) return;
      const client = new Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 5000 });
      await client.connect();
      try {
        for (const schema of drop) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
  return factory;
}

/** The body of one store kind's describe block: skip, fail (CI) or run it. */
function storeBlock(kind: StoreKind, body: (makeStore: () => Store, kind: StoreKind, factory: StoreFactory) => void): void {
  if (kind === 'postgres') {
    const availability = postgresAvailability();
    if (!availability.ok) {
      if (inCi()) {
        beforeAll(() => {
          throw new Error(`PostgreSQL is required in CI (CI=true) but ${TEST_DATABASE_URL} is unreachable: ${availability.error}`);
        });
      } else {
        if (!noted) {
          noted = true;
          console.warn(`PostgreSQL at ${TEST_DATABASE_URL} is unreachable (${availability.error}): skipping the PostgreSQL store tests. Set TEST_DATABASE_URL or start a server.`);
        }
        // Deliberate: a machine with only Node and npm runs `npm test` without PostgreSQL; the
        // skip shows in the report. In CI (CI=true) the branch above fails instead.
        it.skip('PostgreSQL unreachable', () => undefined);
        return;
      }
    }
  }
  const factory = kind === 'postgres' ? postgresFactory() : sqliteFactory(kind === 'sqlite-thread');
  afterAll(() => factory.cleanup());
  body(() => factory.makeStore(), kind, factory);
}

/**
 * describe() once per store kind: `describeEachStore('inbox', (makeStore, kind, f) => ...)`.
 * Stores the tests leave open are closed after the block (closing twice is harmless).
 */
export function describeEachStore(name: string, body: (makeStore: () => Store, kind: StoreKind, factory: StoreFactory) => void): void {
  describe.each(STORE_KINDS.map((kind) => [kind]))(`${name} [%s]`, (kind) => storeBlock(kind, body));
}

/** describe() for one store kind only (what the other kind does not have). */
export function describeStore(kind: StoreKind, name: string, body: (makeStore: () => Store, kind: StoreKind, factory: StoreFactory) => void): void {
  describe(`${name} [${kind}]`, () => storeBlock(kind, body));
}
