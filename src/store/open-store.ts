import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { PgStore } from './postgres/pg-store';
import { SqliteStore, sqlitePathOf } from './sqlite/sqlite-store';
import type { Store } from './types';

/** DATABASE_URL names a store that cannot be used; the CLI exits 2 with this message. */
export class StoreConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreConfigError';
  }
}

export interface OpenStoreOptions {
  /** Told when the default data folder is created (stderr when not given). */
  notice?: (message: string) => void;
}

/** The one folder created when missing: the default DATABASE_URL's, relative to the working directory. */
export const DEFAULT_DATA_FOLDER = 'data';

const isPostgres = (url: string) => /^postgres(ql)?:\/\//i.test(url);

/** The URL without its user and password (all before its last @), for messages. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/).*@/i, '$1***@');
}

/**
 * What DATABASE_URL names, checked before anything is opened: every error is a
 * StoreConfigError naming the variable, the path or URL, and the reason.
 */
export function checkDatabaseUrl(databaseUrl: string, options: OpenStoreOptions = {}): { kind: 'postgres'; url: string } | { kind: 'sqlite'; file: string } {
  if (isPostgres(databaseUrl)) {
    try {
      new URL(databaseUrl);
    } catch (err) {
      throw new StoreConfigError(
        `DATABASE_URL ${redactDatabaseUrl(databaseUrl)} is not a valid PostgreSQL URL (${(err as Error).message}): expected postgres://user:password@host:5432/database, with special characters of the password percent-encoded`,
      );
    }
    // The scheme lowercased (POSTGRES:// is accepted here); the rest of the URL is left as given.
    return { kind: 'postgres', url: databaseUrl.replace(/^postgres(ql)?:/i, (m) => m.toLowerCase()) };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(databaseUrl) && !/^(sqlite|file):/i.test(databaseUrl)) {
    throw new StoreConfigError(`DATABASE_URL: unsupported scheme in ${databaseUrl.split('://')[0]}://; expected a PostgreSQL URL or a SQLite path`);
  }
  const file = sqlitePathOf(databaseUrl);
  if (file === ':memory:') return { kind: 'sqlite', file };
  if (file.trim() === '') {
    throw new StoreConfigError(`DATABASE_URL ${databaseUrl} names no file: expected a SQLite path such as sqlite:data/helpdesk-sync.db, or :memory:`);
  }
  const absolute = path.resolve(file);
  const folder = path.dirname(absolute);
  const named = `DATABASE_URL ${databaseUrl}`;
  const at = absolute === databaseUrl ? '' : ` (${absolute})`;
  const reach = folderState(folder);
  if (reach === 'unreachable') {
    throw new StoreConfigError(`${named}${at}: the folder ${folder} cannot be reached (permission denied on it or a folder above it)`);
  }
  if (reach === 'missing') {
    if (path.normalize(path.dirname(file)) !== DEFAULT_DATA_FOLDER) {
      throw new StoreConfigError(`${named}${at}: the folder ${folder} does not exist; create it, or point DATABASE_URL at an existing folder (only the default ${DEFAULT_DATA_FOLDER}/ folder is created)`);
    }
    try {
      mkdirSync(folder, { recursive: true });
    } catch (err) {
      throw new StoreConfigError(`${named}${at}: cannot create the data folder ${folder}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    (options.notice ?? ((m: string) => process.stderr.write(`${m}\n`)))(`Created the data folder ${folder} for ${named}`);
  } else if (!statSync(folder).isDirectory()) {
    throw new StoreConfigError(`${named}${at}: ${folder} is not a folder`);
  }
  if (existsSync(absolute)) {
    if (statSync(absolute).isDirectory()) throw new StoreConfigError(`${named}${at}: ${absolute} is a folder, not a SQLite file`);
    if (!accessible(absolute, constants.R_OK)) throw new StoreConfigError(`${named}${at}: the file ${absolute} cannot be read (permission denied)`);
    if (!accessible(absolute, constants.W_OK)) throw new StoreConfigError(`${named}${at}: the file ${absolute} is read-only; helpdesk-sync writes to its store`);
  }
  // A new file is created there, and SQLite keeps its -wal and -shm files beside the database.
  if (!accessible(folder, constants.W_OK | constants.X_OK)) {
    throw new StoreConfigError(`${named}${at}: the folder ${folder} is not writable (SQLite keeps its -wal and -shm files beside the database)`);
  }
  return { kind: 'sqlite', file };
}

function folderState(folder: string): 'present' | 'missing' | 'unreachable' {
  try {
    statSync(folder);
    return 'present';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'EACCES' || code === 'EPERM' ? 'unreachable' : 'missing';
  }
}

function accessible(file: string, mode: number): boolean {
  try {
    accessSync(file, mode);
    return true;
  } catch {
    return false;
  }
}

/** better-sqlite3's refusals, in words that name the variable and the file. */
function sqliteOpenError(err: unknown, databaseUrl: string, file: string): Error {
  const code = (err as { code?: unknown }).code;
  const absolute = path.resolve(file);
  const named = `DATABASE_URL ${databaseUrl}${absolute === databaseUrl ? '' : ` (${absolute})`}`;
  const reason = (err as Error).message;
  switch (code) {
    case 'SQLITE_NOTADB':
      return new StoreConfigError(`${named}: ${absolute} is not a SQLite database (${reason}); point DATABASE_URL at a helpdesk-sync database or a new file`);
    case 'SQLITE_CORRUPT':
      return new StoreConfigError(`${named}: the SQLite database ${absolute} is damaged (${reason})`);
    case 'SQLITE_READONLY':
    case 'SQLITE_READONLY_DIRECTORY':
      return new StoreConfigError(`${named}: ${absolute} cannot be written (${reason})`);
    case 'SQLITE_CANTOPEN':
    case 'SQLITE_PERM':
    case 'SQLITE_AUTH':
      return new StoreConfigError(`${named}: ${absolute} cannot be opened (${reason})`);
    default:
      return err instanceof Error ? err : new Error(String(err));
  }
}

/**
 * DATABASE_URL decides the store: PostgreSQL for postgres:// and postgresql:// URLs, SQLite
 * otherwise (a path, sqlite:, file:, :memory:). Synchronous: a PgStore connects and migrates
 * in the background, and its first call waits for that. A SQLite path is checked first (see
 * checkDatabaseUrl); a missing folder is an error, except the default data/ folder, which is
 * created.
 */
export function openStore(databaseUrl: string, options: OpenStoreOptions = {}): Store {
  const target = checkDatabaseUrl(databaseUrl, options);
  if (target.kind === 'postgres') return new PgStore(target.url);
  try {
    return new SqliteStore(target.file);
  } catch (err) {
    throw sqliteOpenError(err, databaseUrl, target.file);
  }
}
