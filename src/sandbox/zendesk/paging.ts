import type { Request } from 'express';
import { badRequest } from './errors';

/** Zendesk's cursor pages of regular list endpoints hold at most 100 records (page[size]). */
export const MAX_PAGE_SIZE = 100;

/** A query parameter as one string; `page[size]` arrives under that literal key. */
export function queryParam(req: Request, name: string): string | undefined {
  const raw: unknown = (req.query as Record<string, unknown>)[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return typeof value === 'string' ? value : undefined;
}

export function includes(req: Request, what: string): boolean {
  return (queryParam(req, 'include') ?? '').split(',').map((s) => s.trim()).includes(what);
}

/** The base the caller used, so links point back at this sandbox's port. */
export function baseUrlOf(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? '127.0.0.1'}`;
}

export function encodeCursor(key: string): string {
  return Buffer.from(JSON.stringify({ o: 'id', v: key })).toString('base64');
}

export function decodeCursor(cursor: string, param: string): string {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8'));
    if (parsed && typeof parsed === 'object' && 'v' in parsed && typeof parsed.v === 'string') return parsed.v;
  } catch {
    // fall through to Zendesk's answer for a cursor it did not issue
  }
  throw badRequest('InvalidPaginationParameter', `${param} is not a valid cursor`);
}

function pageSize(req: Request): number {
  const raw = queryParam(req, 'page[size]');
  if (raw === undefined) return MAX_PAGE_SIZE;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw badRequest('InvalidPaginationParameter', 'page[size] must be a positive integer');
  if (n > MAX_PAGE_SIZE) throw badRequest('InvalidPaginationParameter', `page[size] is greater than the maximum allowed value of ${MAX_PAGE_SIZE}`);
  return n;
}

export interface CursorPage<T> {
  items: T[];
  meta: { has_more: boolean; after_cursor: string | null; before_cursor: string | null };
  links: { next: string | null; prev: string | null };
}

function link(req: Request, param: 'page[after]' | 'page[before]', cursor: string, size: number): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(req.query as Record<string, unknown>)) {
    if (k === 'page[after]' || k === 'page[before]' || k === 'page[size]') continue;
    if (typeof v === 'string') params.set(k, v);
  }
  params.set('page[size]', String(size));
  params.set(param, cursor);
  return `${baseUrlOf(req)}${req.path}?${params.toString()}`;
}

/**
 * Zendesk's cursor pagination over an already ordered list: `page[size]`, `page[after]` or
 * `page[before]`, answered with `meta.{has_more, after_cursor, before_cursor}` and `links`.
 */
export function cursorPage<T>(req: Request, all: readonly T[], keyOf: (item: T) => string): CursorPage<T> {
  const size = pageSize(req);
  const after = queryParam(req, 'page[after]');
  const before = queryParam(req, 'page[before]');
  const indexOf = (cursor: string, param: string) => {
    const key = decodeCursor(cursor, param);
    const i = all.findIndex((item) => keyOf(item) === key);
    if (i < 0) throw badRequest('InvalidPaginationParameter', `${param} is not a valid cursor`);
    return i;
  };
  let start: number;
  let end: number;
  if (after !== undefined) {
    start = indexOf(after, 'page[after]') + 1;
    end = Math.min(all.length, start + size);
  } else if (before !== undefined) {
    end = indexOf(before, 'page[before]');
    start = Math.max(0, end - size);
  } else {
    start = 0;
    end = Math.min(all.length, size);
  }
  const items = all.slice(start, end);
  const first = items[0];
  const last = items[items.length - 1];
  const hasMore = before !== undefined ? start > 0 : end < all.length;
  const afterCursor = last === undefined ? null : encodeCursor(keyOf(last));
  const beforeCursor = first === undefined ? null : encodeCursor(keyOf(first));
  return {
    items,
    meta: { has_more: hasMore, after_cursor: afterCursor, before_cursor: beforeCursor },
    links: {
      next: end < all.length && afterCursor ? link(req, 'page[after]', afterCursor, size) : null,
      prev: start > 0 && beforeCursor ? link(req, 'page[before]', beforeCursor, size) : null,
    },
  };
}
