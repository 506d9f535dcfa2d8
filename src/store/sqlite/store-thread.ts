import { parentPort, workerData } from 'node:worker_threads';
import { SqliteStore } from './sqlite-store';
import { Outbox, type StoreCall, type StoreReply } from './thread-protocol';

/**
 * The thread that owns the SQLite connection of a ThreadedSqliteStore. Every statement, every
 * commit and every fsync happens here, off the event loop that answers webhooks.
 */
const port = parentPort;
if (!port) throw new Error('store-thread.ts runs as a worker thread only');
const store = new SqliteStore((workerData as { file: string }).file);
const methods = store as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;

const replies = new Outbox<StoreReply>((batch) => port.postMessage(batch));

port.on('message', (calls: StoreCall[]) => {
  // Started in arrival order, so the enqueues of one batch share one commit.
  for (const call of calls) {
    const method = methods[call.method];
    const run = typeof method === 'function' ? method.apply(store, call.args) : Promise.reject(new Error(`no store method ${call.method}`));
    run.then(
      (value) => replies.push({ id: call.id, ok: true, value }),
      (err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err));
        replies.push({ id: call.id, ok: false, error: { name: e.name, message: e.message, code: (e as { code?: string }).code } });
      },
    );
  }
});
