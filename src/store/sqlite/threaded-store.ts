import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { EnqueueResult, Store, StoreHealth } from '../types';
import { SQLITE_SCHEMA_VERSION } from './migrations';
import { SqliteStore } from './sqlite-store';
import { Outbox, type StoreCall, type StoreReply } from './thread-protocol';

/** Every Store method that runs in the thread (all but kind and close): the record makes the compiler check none is missing. */
const REMOTE: Record<Exclude<keyof Store, 'kind' | 'close'>, true> = {
  health: true,
  enqueue: true,
  claimNext: true,
  complete: true,
  coalesce: true,
  fail: true,
  deadLetter: true,
  requeueInterrupted: true,
  getEvent: true,
  listEvents: true,
  inboxCounts: true,
  listDeadLetters: true,
  getDeadLetter: true,
  replayDeadLetters: true,
  discardDeadLetter: true,
  getSnapshot: true,
  saveSnapshot: true,
  recentTicketsOfRequester: true,
  listTicketsAwayFromOwner: true,
  getLinkByTicket: true,
  getLinkByIssue: true,
  reserveLink: true,
  completeLink: true,
  setLinkMissing: true,
  releaseLink: true,
  listLinks: true,
  getOwner: true,
  setOwner: true,
  appendHandoff: true,
  listHandoffs: true,
  recordDecision: true,
  listDecisions: true,
  getExecutedAction: true,
  recordExecutedAction: true,
  finishExecutedAction: true,
  forgetExecutedAction: true,
  findWriteByResult: true,
  listExecutedActions: true,
  acquireLock: true,
  releaseLock: true,
  startJobRun: true,
  finishJobRun: true,
  lastJobRuns: true,
  countPending: true,
  saveCircuit: true,
  clearCircuit: true,
  listCircuits: true,
  getSla: true,
  saveSla: true,
  listSlaDue: true,
  listSla: true,
  listTicketsWithoutSla: true,
  listAuditPairs: true,
  listViolations: true,
  auditTimeline: true,
  getCursor: true,
  setCursor: true,
  listCursors: true,
};

/** An error of the store thread, with SQLite's code (SQLITE_FULL, SQLITE_BUSY ...) kept. */
export class StoreThreadError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'StoreThreadError';
  }
}

function startThread(file: string): Worker {
  const entry = path.join(__dirname, `store-thread${path.extname(__filename)}`);
  if (entry.endsWith('.ts')) {
    // From the TypeScript sources (tsx, jest): the thread compiles them the same way.
    const boot = `require('tsx/cjs/api').register(); require(${JSON.stringify(entry)});`;
    return new Worker(boot, { eval: true, workerData: { file } });
  }
  return new Worker(entry, { workerData: { file } });
}

/**
 * The SQLite store on a thread of its own. better-sqlite3 is synchronous: on the main thread
 * every statement, and every fsync of a commit, stops the event loop that answers webhooks,
 * and a busy worker slows the door. Here the main thread only posts calls; the thread runs them
 * in order (so the store's grouped enqueue commits still group) and answers.
 */
export class ThreadedSqliteStore {
  readonly kind = 'sqlite' as const;
  private readonly thread: Worker;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  private readonly calls: Outbox<StoreCall>;
  private nextId = 1;
  private stopped: Error | null = null;
  private enqueue!: Store['enqueue'];
  private health!: Store['health'];

  private constructor(file: string) {
    this.thread = startThread(file);
    this.calls = new Outbox<StoreCall>((batch) => this.thread.postMessage(batch));
    this.thread.on('message', (replies: StoreReply[]) => {
      for (const reply of replies) {
        const call = this.waiting.get(reply.id);
        if (!call) continue;
        this.waiting.delete(reply.id);
        if (reply.ok) call.resolve(reply.value);
        else call.reject(new StoreThreadError(reply.error.message, reply.error.code));
      }
    });
    const gone = (err: Error) => {
      this.stopped ??= err;
      for (const call of this.waiting.values()) call.reject(err);
      this.waiting.clear();
    };
    this.thread.on('error', (err) => gone(new StoreThreadError(`the store thread failed: ${err.message}`)));
    this.thread.on('exit', (code) => gone(new StoreThreadError(`the store thread stopped (exit code ${code})`)));
  }

  /**
   * Opens (and migrates) the database here first, so a path that cannot be opened fails at once
   * with the driver's own error, as the in-process store does; then hands it to the thread.
   */
  static open(file: string): Store {
    new SqliteStore(file).close().catch(() => undefined);
    const threaded = new ThreadedSqliteStore(file);
    for (const method of Object.keys(REMOTE)) {
      (threaded as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => threaded.call(method, args);
    }
    // Health never throws, here as in the other stores: a closed or failed thread is "not ok".
    threaded.health = () =>
      (threaded.call('health', []) as Promise<StoreHealth>).catch((err: Error) => ({
        ok: false,
        schemaVersion: 0,
        expectedVersion: SQLITE_SCHEMA_VERSION,
        error: err.message,
      }));
    // The body's text is what gets stored: cloning its parsed tree across threads would cost more than parsing it.
    threaded.enqueue = (e) => threaded.call('enqueue', [e.payloadText === undefined ? e : { ...e, payload: null }]) as Promise<EnqueueResult>;
    return threaded as unknown as Store;
  }

  private call(method: string, args: unknown[]): Promise<unknown> {
    if (this.stopped) return Promise.reject(this.stopped);
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.waiting.set(id, { resolve, reject });
      this.calls.push({ id, method, args });
    });
  }

  async close(): Promise<void> {
    if (this.stopped) return;
    await this.call('close', []).catch(() => undefined);
    this.stopped = new StoreThreadError('the store is closed');
    await this.thread.terminate();
  }
}
