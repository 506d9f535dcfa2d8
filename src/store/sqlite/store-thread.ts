import { parentPort, workerData } from 'node:worker_threads';
import { SqliteStore } from './sqlite-store';
import type { StoreCall, StoreReply } from './thread-protocol';

/**
 * The thread that owns the SQLite connection of a ThreadedSqliteStore. Every statement, every
 * commit and every fsync happens here, off the event loop that answers webhooks.
 */
const port = parentPort;
if (!port) throw new Error('store-thread.ts runs as a worker thread only');
const store = new SqliteStore((workerData as { file: string }).file);
const methods = store as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;

port.on('message', (call: StoreCall) => {
  const method = methods[call.method];
  const run = typeof method === 'function' ? method.apply(store, call.args) : Promise.reject(new Error(`no store method ${call.method}`));
  run.then(
    (value) => port.postMessage({ id: call.id, ok: true, value } satisfies StoreReply),
    (err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err));
      port.postMessage({ id: call.id, ok: false, error: { name: e.name, message: e.message, code: (e as { code?: string }).code } } satisfies StoreReply);
    },
  );
});
