import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Logger } from '../logging/logger';

/**
 * Every HTTP request gets an id: the caller's X-Request-Id when it is sane (a proxy or load
 * balancer in front usually sets one, so its access log and ours meet), else a new UUID. It is
 * answered in X-Request-Id on every response and named in the log lines about the request.
 */

export const REQUEST_ID_HEADER = 'X-Request-Id';
export const MAX_REQUEST_ID_LENGTH = 128;

/**
 * Visible ASCII only, at most 128 characters: no spaces (two headers joined read "a, b"), no
 * control characters or newlines that would forge log lines, nothing a 10 kB header could hide.
 */
const SANE = new RegExp(`^[\\x21-\\x7e]{1,${MAX_REQUEST_ID_LENGTH}}$`);

/** The caller's id when it may be used as given; null when it must be replaced. */
export function saneRequestId(value: unknown): string | null {
  return typeof value === 'string' && SANE.test(value) ? value : null;
}

const current = new AsyncLocalStorage<string>();

/** The id of the request being served (within its handlers), if any. */
export function currentRequestId(): string | undefined {
  return current.getStore();
}

/** The request's id, as the middleware below set it on the response. */
export function requestIdOf(res: Response): string | undefined {
  const id: unknown = res.locals.requestId;
  return typeof id === 'string' ? id : undefined;
}

/** First of the app's middleware: names the request, answers the name on every response. */
export function requestIds(generate: () => string = randomUUID): RequestHandler {
  return (req, res, next) => {
    const id = saneRequestId(req.headers['x-request-id']) ?? generate();
    res.locals.requestId = id;
    res.setHeader(REQUEST_ID_HEADER, id);
    current.run(id, next);
  };
}

/**
 * A logger whose lines, written while a request is served, carry its `requestId` (unless the
 * line names one itself). For the routers that log with the app's logger (the audit's
 * `audit request refused`), so they need not know about request ids.
 */
export function requestLogger(logger: Logger): Logger {
  return Object.create(logger, {
    write: {
      value(info: Record<string, unknown>) {
        const id = current.getStore();
        if (id === undefined || info.requestId !== undefined) return logger.write(info);
        // As winston's own child loggers do: a copy with the field added (an Error's message and
        // stack are not own enumerable properties, so they are carried over by hand).
        const copy: Record<string, unknown> = Object.assign({ requestId: id }, info);
        if (info instanceof Error) {
          copy.message = info.message;
          copy.stack = info.stack;
        }
        return logger.write(copy);
      },
    },
  }) as Logger;
}
