import type { Logger } from '../logging/logger';
import type { Store } from '../store/types';

/**
 * E3's consult window needs a clock, not a webhook: nothing happens on a ticket whose reviewer
 * never answers. The sweep puts an event for each ticket away from its owner into the inbox
 * (the one door, as for webhooks), so the worker fetches it and the policy engine judges it
 * with the current time. Sweeps closer together than `dedupeMs` (default 10 minutes, under the
 * 15-minute schedule) queue a ticket once.
 */
export async function sweepConsults(store: Store, now: Date, logger: Logger, dedupeMs = 10 * 60_000): Promise<number> {
  let queued = 0;
  for (const ref of await store.listTicketsAwayFromOwner()) {
    const result = await store.enqueue({
      vendor: ref.vendor,
      connectionId: ref.connectionId,
      entityKey: `ticket:${ref.id}`,
      dedupeKey: `sweep:E3:${ref.id}`,
      dedupeWindowMs: dedupeMs,
      eventType: 'sweep.consult_window',
      source: 'poll',
      payload: { sweep: 'consult_window', at: now.toISOString() },
      headers: {},
      // The inbox keeps real time (the worker claims by it); `now` is the clock rules judge by.
      receivedAt: new Date(),
    });
    if (!result.duplicate) queued += 1;
  }
  if (queued) logger.info('E3 consult sweep queued tickets away from their owner', { queued });
  return queued;
}
