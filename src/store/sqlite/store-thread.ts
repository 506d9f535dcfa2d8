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
  // The whole batch is one transaction: the worker's writes and the webhooks' enqueues that
  // arrived together share one commit, and nobody hears back before that commit is on disk.
  const runs: Array<Promise<unknown>> = [];
  let commitError: Error | null = null;
  try {
    const invoke = (call: StoreCall) => {
      const method = methods[call.method];
      return typeof method === 'function' ? method.apply(store, call.args) : Promise.reject(new Error(`no store method ${call.method}`));
    };
    store.group(() => {
      for (const call of calls) runs.push(call.method === 'close' ? Promise.resolve() : invoke(call));
    });
    // Closing cannot happen inside the transaction: after its commit.
    calls.forEach((call, i) => {
      if (call.method === 'close') runs[i] = invoke(call);
    });
  } catch (err) {
    commitError = err instanceof Error ? err : new Error(String(err));
  }
  void Promise.allSettled(runs).then((outcomes) => {
    outcomes.forEach((outcome, i) => {
      const id = (calls[i] as StoreCall).id;
      const failure = commitError ?? (outcome.status === 'rejected' ? outcome.reason : null);
      if (failure === null) replies.push({ id, ok: true, value: (outcome as PromiseFulfilledResult<unknown>).value });
      else {
        const e = failure instanceof Error ? failure : new Error(String(failure));
        replies.push({ id, ok: false, error: { name: e.name, message: e.message, code: (e as { code?: string }).code } });
      }
    });
  });
});
