import { PgStore } from './postgres/pg-store';
import { SqliteStore, sqlitePathOf } from './sqlite/sqlite-store';
import type { Store } from './types';

export class StoreConfigError extends Error {}

/**
 * DATABASE_URL decides the store: PostgreSQL for postgres:// and postgresql:// URLs, SQLite
 * otherwise (a path, sqlite:, file:, :memory:). Synchronous: a PgStore connects and migrates
 * in the background, and its first call waits for that.
 */
export function openStore(databaseUrl: string): Store {
  if (/^postgres(ql)?:\/\//i.test(databaseUrl)) {
    // The scheme lowercased (POSTGRES:// is accepted here); the rest of the URL is left as given.
    return new PgStore(databaseUrl.replace(/^postgres(ql)?:/i, (m) => m.toLowerCase()));
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(databaseUrl) && !/^(sqlite|file):/i.test(databaseUrl)) {
    throw new StoreConfigError(`DATABASE_URL: unsupported scheme in ${databaseUrl.split('://')[0]}://; expected a PostgreSQL URL or a SQLite path`);
  }
  return new SqliteStore(sqlitePathOf(databaseUrl));
}
