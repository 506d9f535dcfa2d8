import type { Sandboxes } from '../src/sandbox/world';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits until every webhook is delivered and helpdesk-sync's inbox is empty, twice in a row. */
export async function quiet(s: Sandboxes, service: { store: { inboxCounts(): Promise<{ pending: number; processing: number }> } }, rounds = 400): Promise<void> {
  for (let i = 0; i < rounds; i += 1) {
    await s.webhooksIdle();
    const c = await service.store.inboxCounts();
    if (c.pending === 0 && c.processing === 0) {
      await sleep(30);
      await s.webhooksIdle();
      const again = await service.store.inboxCounts();
      if (again.pending === 0 && again.processing === 0) return;
    }
    await sleep(10);
  }
  throw new Error('the pipeline did not settle');
}
