/** Every API call a sandbox served, per endpoint ("GET /api/v2/tickets/:id") and status. */
export interface CallRecord {
  method: string;
  endpoint: string;
  status: number;
  path: string;
  /** The authenticated caller, null when authentication failed. */
  actor: string | null;
  at: number;
}

export class CallCounter {
  private readonly records: CallRecord[] = [];

  record(entry: CallRecord): void {
    this.records.push(entry);
  }

  /** Calls per "METHOD /endpoint/pattern". */
  byEndpoint(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.records) {
      const key = `${r.method} ${r.endpoint}`;
      out[key] = (out[key] ?? 0) + 1;
    }
    return out;
  }

  /** Calls matching a method and endpoint pattern, optionally only for one concrete path. */
  count(method: string, endpoint: string, path?: string): number {
    return this.records.filter((r) => r.method === method && r.endpoint === endpoint && (path === undefined || r.path === path)).length;
  }

  total(): number {
    return this.records.length;
  }

  all(): readonly CallRecord[] {
    return this.records;
  }

  /** Calls since a moment, optionally by one caller: "did helpdesk-sync read this ticket after the change?" */
  since(at: number, filter: { method?: string; path?: string; actor?: string } = {}): CallRecord[] {
    return this.records.filter(
      (r) =>
        r.at >= at &&
        (filter.method === undefined || r.method === filter.method) &&
        (filter.path === undefined || r.path === filter.path) &&
        (filter.actor === undefined || r.actor === filter.actor),
    );
  }

  reset(): void {
    this.records.length = 0;
  }
}
