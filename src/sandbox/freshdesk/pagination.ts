import type { Request, Response } from 'express';
import { queryParam } from './body-reader';
import { invalidValue, validationFailed, type FieldError } from './errors';

/** Freshdesk's list paging: per_page defaults to 30, at most 100; the next page is named in `Link`. */
export const DEFAULT_PER_PAGE = 30;
export const MAX_PER_PAGE = 100;

export interface PageRequest {
  page: number;
  perPage: number;
}

export function readPage(req: Request, extraErrors: FieldError[] = []): PageRequest {
  const errors = [...extraErrors];
  const page = positiveInt(queryParam(req, 'page'), 1);
  const perPage = positiveInt(queryParam(req, 'per_page'), DEFAULT_PER_PAGE);
  if (page === null) errors.push(invalidValue('page', 'It should be a Positive Integer'));
  if (perPage === null || perPage > MAX_PER_PAGE) errors.push(invalidValue('per_page', `It should be a Positive Integer less than or equal to ${MAX_PER_PAGE}`));
  if (errors.length > 0 || page === null || perPage === null) throw validationFailed(errors);
  return { page, perPage };
}

function positiveInt(raw: string | undefined, fallback: number): number | null {
  if (raw === undefined) return fallback;
  if (!/^\d{1,9}$/.test(raw)) return null;
  const n = Number(raw);
  return n >= 1 ? n : null;
}

/**
 * One page of `items`, with `Link: <same URL, page+1>; rel="next"` when more records follow.
 * The link is absolute on the host the caller used, as Freshdesk's is on the account's domain.
 */
export function pageOf<T>(req: Request, res: Response, items: readonly T[], { page, perPage }: PageRequest): T[] {
  const start = (page - 1) * perPage;
  const slice = items.slice(start, start + perPage);
  if (start + perPage < items.length) {
    const next = new URL(req.originalUrl, `${req.protocol}://${req.get('host') ?? '127.0.0.1'}`);
    next.searchParams.set('page', String(page + 1));
    next.searchParams.set('per_page', String(perPage));
    res.setHeader('Link', `<${next.toString()}>; rel="next"`);
  }
  return slice;
}
