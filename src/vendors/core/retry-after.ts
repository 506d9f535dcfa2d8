/**
 * How long a vendor asked us to wait. Retry-After is seconds or an HTTP date (RFC 9110);
 * Jira sends Beta-Retry-After for limits it measures but does not yet enforce.
 */
export function retryAfterMs(headers: Record<string, unknown>, now: number = Date.now()): number | null {
  for (const name of ['retry-after', 'beta-retry-after']) {
    const raw = headers[name];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (typeof value !== 'string' && typeof value !== 'number') continue;
    const text = String(value).trim();
    if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
    const date = Date.parse(text);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  return null;
}

/** Jittered exponential backoff: base * 2^(attempt-1), capped, between 50% and 100% of that. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling * (0.5 + random() / 2));
}
