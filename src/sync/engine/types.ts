/**
 * What processes the inbox in a running service: the Worker (claimNext loop, SQLite) or the
 * pg-boss engine (PostgreSQL). Both run events through runEvent.
 */
export interface EventEngine {
  readonly id: string;
  start(): Promise<void>;
  /** New work arrived: look now instead of at the next poll. */
  wake(): void;
  /** Processes (or waits for) every runnable event, then returns how many were handled here. */
  drain(maxEvents?: number): Promise<number>;
  /** Finishes the events in hand, takes no more. */
  stop(): Promise<void>;
}
