import type { AuditPairFilter, Store } from '../store/types';
import { decodeCursor, encodeCursor } from './cursor';
import { auditPair } from './pair';
import type { AuditSettings } from './settings';
import type { AuditPage, AuditPair, AuditQuery } from './types';

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 500;
/**
 * Pairs one page may read while filtering by status or problems, which are judged per pair: a
 * page stops there with a cursor, so a rare match never makes one request read the whole store.
 */
export const MAX_SCAN = 5_000;
/** Store reads while filtering per pair. */
const SCAN_BATCH = 250;

const judged = (q: AuditQuery) => q.problemsOnly === true || q.status !== undefined;

function matches(pair: AuditPair, q: AuditQuery): boolean {
  if (q.status && pair.ticket.status !== q.status) return false;
  if (q.problemsOnly && pair.problems.length === 0) return false;
  return true;
}

/**
 * A1's list: linked pairs in key order, one page from the cursor on. Vendor, connection, dates
 * and rule are the store's indexed filters; status and problems are judged here, pair by pair.
 */
export async function queryAudit(store: Store, q: AuditQuery, settings: AuditSettings, now: Date): Promise<AuditPage> {
  const limit = Math.min(Math.max(Math.floor(q.limit ?? DEFAULT_PAGE), 1), MAX_PAGE);
  const base: Omit<AuditPairFilter, 'limit' | 'after'> = { vendor: q.vendor, connectionId: q.connectionId, linkedFrom: q.from, linkedTo: q.to, ruleId: q.ruleId };
  let after = q.cursor ? decodeCursor(q.cursor) : undefined;
  const items: AuditPair[] = [];
  let scanned = 0;
  for (;;) {
    const want = judged(q) ? Math.min(SCAN_BATCH, MAX_SCAN - scanned) : limit - items.length;
    const facts = await store.listAuditPairs({ ...base, after, limit: want });
    for (const f of facts) {
      scanned += 1;
      after = f.link.ticket;
      const pair = auditPair(f, settings, now);
      if (matches(pair, q)) items.push(pair);
      if (items.length === limit) return { items, next: encodeCursor(after), scanned };
    }
    if (facts.length < want) return { items, next: null, scanned };
    if (scanned >= MAX_SCAN) return { items, next: after ? encodeCursor(after) : null, scanned };
  }
}

/** Every pair the query selects, page by page (the CSV, the CLI). */
export async function* allPairs(store: Store, q: Omit<AuditQuery, 'cursor' | 'limit'>, settings: AuditSettings, now: Date): AsyncGenerator<AuditPair> {
  let cursor: string | undefined;
  do {
    const page = await queryAudit(store, { ...q, cursor, limit: MAX_PAGE }, settings, now);
    yield* page.items;
    cursor = page.next ?? undefined;
  } while (cursor);
}
