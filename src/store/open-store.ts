import { SqliteStore, sqlitePathOf } from './sqlite/sqlite-store';
import type { Store } from './types';

export class StoreConfigError extends Error {}

/** DATABASE_URL decides the store: SQLite (a path, sqlite:, file:, :memory:) for now. */
export function openStore(databaseUrl: string): Store {
  if (/^postgres(ql)?:\/\//i.test(databaseUrl)) {
    throw new StoreConfigError(
      'DATABASE_URL: the PostgreSQL store is not available in this version; use a SQLite path such as data/helpdesk-sync.db',
    );
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(databaseUrl) && !/^(sqlite|file):/i.test(databaseUrl)) {
    throw new StoreConfigError(`DATABASE_URL: unsupported scheme in ${databaseUrl.split('://')[0]}://; expected a SQLite path`);
  }
  return new SqliteStore(sqlitePathOf(databaseUrl));
}
