/** Messages between a ThreadedSqliteStore and its store thread. */
export interface StoreCall {
  id: number;
  method: string;
  args: unknown[];
}

export type StoreReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; message: string; code?: string } };

/**
 * Calls and replies travel in batches: everything one side has to say in one turn of its event
 * loop goes as one message, so a burst of webhooks costs a few thread wake-ups, not two each.
 */
export class Outbox<T> {
  private items: T[] = [];

  constructor(private readonly send: (batch: T[]) => void) {}

  push(item: T): void {
    this.items.push(item);
    if (this.items.length === 1) setImmediate(() => this.flush());
  }

  private flush(): void {
    const batch = this.items;
    this.items = [];
    if (batch.length > 0) this.send(batch);
  }
}
