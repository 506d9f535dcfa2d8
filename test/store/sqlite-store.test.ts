import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SQLITE_MIGRATIONS, SQLITE_SCHEMA_VERSION } from '../../src/store/sqlite/migrations';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import type { NewInboxEvent } from '../../src/store/types';

const T0 = new Date('2024-05-01T10:00:00.000Z');

function event(over: Partial<NewInboxEvent> = {}): NewInboxEvent {
  return {
    vendor: 'zendesk',
    connectionId: 'default',
    entityKey: 'ticket:1',
    dedupeKey: `key-${Math.random()}`,
    dedupeWindowMs: null,
    eventType: 'ticket.updated',
    source: 'webhook',
    payload: { ticket: { id: 1 } },
    headers: { 'x-zendesk-webhook-invocation-id': 'inv-1' },
    receivedAt: T0,
    ...over,
  };
}

let dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hds-store-'));
  dirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

/** What only the SQLite store has: its file, WAL, sqlite_master. The Store contract itself is in store-contract.test.ts. */
describe('SqliteStore: schema', () => {
  it('applies the migrations at open and reports the schema version', async () => {
    const file = path.join(tempDir(), 'nested', 'dir', 'store.db');
    const store = new SqliteStore(file);
    expect(await store.health()).toEqual({ ok: true, schemaVersion: SQLITE_SCHEMA_VERSION, expectedVersion: SQLITE_SCHEMA_VERSION });
    expect(SQLITE_SCHEMA_VERSION).toBeGreaterThanOrEqual(1);
    await store.close();

    const raw = new Database(file, { readonly: true });
    const tables = (raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
    expect(tables).toEqual(
      expect.arrayContaining(['inbox_events', 'dead_letters', 'entity_snapshots', 'ticket_links', 'ticket_owners', 'handoffs', 'decisions', 'executed_actions', 'sync_cursors', 'schema_migrations']),
    );
    raw.close();
  });

  it('does not re-apply migrations when the same file is reopened, and keeps the data', async () => {
    const file = path.join(tempDir(), 'store.db');
    const first = new SqliteStore(file);
    const { eventId } = await first.enqueue(event({ dedupeKey: 'persisted' }));
    await first.close();

    const second = new SqliteStore(file);
    expect((await second.health()).ok).toBe(true);
    expect((await second.getEvent(eventId))?.dedupeKey).toBe('persisted');
    await second.close();

    const raw = new Database(file, { readonly: true });
    const rows = raw.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>;
    expect(rows.map((r) => r.version)).toEqual(SQLITE_MIGRATIONS.map((m) => m.version));
    raw.close();
  });

  it('puts a file database in WAL journal mode', async () => {
    const file = path.join(tempDir(), 'wal.db');
    const store = new SqliteStore(file);
    await store.close();
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('health reports an error once the database is closed', async () => {
    const store = new SqliteStore(':memory:');
    await store.close();
    const health = await store.health();
    expect(health.ok).toBe(false);
    expect(health.error).toEqual(expect.any(String));
    // close twice is harmless
    await expect(store.close()).resolves.toBeUndefined();
  });
});
