import type { EntityRef } from '../domain/ticket';
import type { Store } from '../store/types';

/**
 * Runs a write at most once per idempotency key: skipped when the key is recorded, recorded
 * after the write succeeds. A crash between the two repeats the write once more, so callers
 * whose writes must never repeat also check the vendor's state (as the J4 note does).
 */
export async function runOnce(
  store: Store,
  key: string,
  entry: { ticket: EntityRef; kind: string; at: () => Date },
  write: () => Promise<void>,
): Promise<void> {
  if (await store.getExecutedAction(key)) return;
  await write();
  await store.recordExecutedAction({ idempotencyKey: key, ticket: entry.ticket, kind: entry.kind, result: null, at: entry.at() });
}
