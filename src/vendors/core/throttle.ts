import type { Vendor } from '../../domain/ticket';

/**
 * Proactive throttling, opt-in per connection: calls to one connection are spaced evenly at
 * its budget (`calls` per `windowMs`), so a long run (a backfill's fetches) stays under the
 * vendor's limit instead of spending it in a burst and then holding every worker slot in a
 * Retry-After sleep. Off unless set for a connection; the 429 path with Retry-After stays as
 * it is for whatever still gets through (other processes share the vendor's budget).
 */
export interface ThrottleBudget {
  calls: number;
  windowMs: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Hands out turns `spacingMs` apart, first come first served. */
export class CallPacer {
  private next = 0;

  constructor(
    readonly spacingMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** How long this call must wait for its turn (its turn is taken). */
  reserve(): number {
    const now = this.clock();
    const at = Math.max(now, this.next);
    this.next = at + this.spacingMs;
    return at - now;
  }

  async turn(): Promise<void> {
    const wait = this.reserve();
    if (wait > 0) await sleep(wait);
  }
}

const pacers = new Map<string, CallPacer>();
const keyOf = (vendor: Vendor, connectionId: string) => `${vendor}/${connectionId}`;

/** Spaces this connection's calls at the budget from now on (null: no proactive throttling). */
export function setProactiveThrottle(vendor: Vendor, connectionId: string, budget: ThrottleBudget | null): void {
  if (!budget) {
    pacers.delete(keyOf(vendor, connectionId));
    return;
  }
  if (!(budget.calls > 0 && budget.windowMs > 0)) throw new Error('a throttle budget needs calls > 0 and windowMs > 0');
  pacers.set(keyOf(vendor, connectionId), new CallPacer(budget.windowMs / budget.calls));
}

/** Waits for the connection's next turn; returns at once where no throttle is set. */
export async function awaitTurn(vendor: Vendor, connectionId: string): Promise<void> {
  await pacers.get(keyOf(vendor, connectionId))?.turn();
}
