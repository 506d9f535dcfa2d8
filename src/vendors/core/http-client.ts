import axios, { AxiosError, type AxiosInstance, type AxiosRequestConfig, type AxiosResponse } from 'axios';
import pRetry, { AbortError } from 'p-retry';
import type { z } from 'zod';
import type { Vendor } from '../../domain/ticket';
import type { Logger } from '../../logging/logger';
import type { MetricsRecorder } from '../../metrics/registry';
import { CircuitOpenError, type ConnectionCircuit } from './circuit';
import { VendorApiError, type VendorErrorKind } from './errors';
import { backoffMs, retryAfterMs } from './retry-after';
import { awaitTurn } from './throttle';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  minDelayMs: number;
  maxDelayMs: number;
  /**
   * A Retry-After longer than this is not slept through inside one call: the call fails as
   * retryable and the worker reschedules the whole event instead of holding a slot.
   */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 4, minDelayMs: 500, maxDelayMs: 30_000, maxRetryAfterMs: 120_000 };

export interface ErrorDetails {
  message: string;
  fields?: Record<string, string>;
}

export interface VendorHttpOptions {
  vendor: Vendor;
  connectionId: string;
  baseURL: string;
  auth?: { username: string; password: string };
  headers?: Record<string, string>;
  timeoutMs: number;
  retry: RetryPolicy;
  logger: Logger;
  /** Reads the vendor's error body (each vendor has its own shape). */
  errorDetails: (body: unknown) => ErrorDetails;
  /** Counts each attempt (by endpoint template and status) and each Retry-After wait. */
  metrics?: MetricsRecorder;
  /** The connection's circuit breaker: told every call's outcome, and refusing calls while open. */
  circuit?: ConnectionCircuit;
}

export interface RequestOptions {
  /**
   * Whether sending the request twice is harmless. Defaults to true for GET, PUT, DELETE and
   * HEAD, false for POST and PATCH. A non-idempotent call is retried inline only when the vendor
   * cannot have acted on it (429, or a connection that never opened); after a timeout or a 5xx
   * it fails as retryable, and the caller, which can look before writing again, decides.
   */
  idempotent?: boolean;
}

/** Network failures where the request never reached the vendor. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export interface VendorResponse<T> {
  data: T;
  status: number;
  headers: Record<string, unknown>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A failure the vendor cannot have acted on, so even a write may be sent again. */
function safeToRepeat(err: VendorApiError): boolean {
  return err.kind === 'rate_limited' || (err.kind === 'network' && NOT_SENT_CODES.has(err.vendorMessage));
}

function kindOfStatus(status: number): VendorErrorKind {
  if (status === 429) return 'rate_limited';
  // 408: the vendor gave up waiting for our request; like a timeout, another try may work.
  if (status === 408) return 'timeout';
  if (status >= 500) return 'server';
  return 'client';
}

/**
 * The one HTTP core the three vendor clients share: authentication, timeout, retries on 429,
 * 5xx and network errors (honouring Retry-After), response validation with zod and the
 * VendorApiError. A vendor client is then a list of operations, each one `request` call.
 */
export class VendorHttp {
  private readonly http: AxiosInstance;

  constructor(private readonly options: VendorHttpOptions) {
    this.http = axios.create({
      baseURL: options.baseURL.replace(/\/+$/, ''),
      timeout: options.timeoutMs,
      auth: options.auth,
      headers: { Accept: 'application/json', 'User-Agent': 'helpdesk-sync', ...options.headers },
      validateStatus: () => true,
      // Our own retry loop decides; axios must not follow redirects to other hosts with our auth.
      maxRedirects: 0,
    });
  }

  get vendor(): Vendor {
    return this.options.vendor;
  }

  get baseURL(): string {
    return this.options.baseURL.replace(/\/+$/, '');
  }

  async request<S extends z.ZodType>(
    operation: string,
    config: AxiosRequestConfig & { url: string },
    schema: S,
    options: RequestOptions = {},
  ): Promise<VendorResponse<z.infer<S>>> {
    const method = (config.method ?? 'GET').toUpperCase();
    const idempotent = options.idempotent ?? !['POST', 'PATCH'].includes(method);
    const path = config.url.split('?')[0] ?? config.url;
    const { retry, logger, vendor, connectionId } = this.options;
    const base = { vendor, connectionId, operation, method, path };
    let attempt = 0;

    const once = async (): Promise<VendorResponse<z.infer<S>>> => {
      attempt += 1;
      // Opt-in per connection (throttle.ts); a no-op otherwise.
      await awaitTurn(vendor, connectionId);
      const circuit = this.options.circuit;
      // Throws CircuitOpenError (nothing sent) while the connection's circuit is open.
      const probe = circuit?.admit(new Date()) ?? false;
      const started = Date.now();
      let res: AxiosResponse;
      try {
        res = await this.http.request({ ...config, method });
      } catch (err) {
        this.options.metrics?.vendorCall(vendor, method, path, 'error');
        const ax = err as AxiosError;
        const timeout = ax.code === 'ECONNABORTED' || ax.code === 'ETIMEDOUT' || ax.code === 'ERR_CANCELED';
        const failure = new VendorApiError({
          ...base,
          kind: timeout ? 'timeout' : 'network',
          status: null,
          vendorMessage: ax.code ?? ax.message,
          attempts: attempt,
        });
        circuit?.failed(failure, new Date(), probe);
        throw failure;
      }
      const ms = Date.now() - started;
      this.options.metrics?.vendorCall(vendor, method, path, res.status);
      logger.debug('vendor call', { ...base, status: res.status, ms, attempt });
      if (res.status < 200 || res.status >= 300) {
        const details = this.options.errorDetails(res.data);
        const failure = new VendorApiError({
          ...base,
          kind: kindOfStatus(res.status),
          status: res.status,
          vendorMessage: details.message || String(res.statusText ?? ''),
          fields: details.fields,
          retryAfterMs: retryAfterMs(res.headers as Record<string, unknown>),
          attempts: attempt,
        });
        circuit?.failed(failure, new Date(), probe);
        throw failure;
      }
      circuit?.succeeded(probe);
      const parsed = schema.safeParse(res.status === 204 || res.data === '' ? undefined : res.data);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new VendorApiError({
          ...base,
          kind: 'invalid_response',
          status: res.status,
          vendorMessage: `unexpected response shape at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
          attempts: attempt,
        });
      }
      return { data: parsed.data, status: res.status, headers: res.headers as Record<string, unknown> };
    };

    return pRetry(
      async () => {
        try {
          return await once();
        } catch (err) {
          if (err instanceof CircuitOpenError) throw new AbortError(err);
          if (err instanceof VendorApiError && !err.retryable) throw new AbortError(err);
          if (err instanceof VendorApiError && !idempotent && !safeToRepeat(err)) throw new AbortError(err);
          throw err;
        }
      },
      {
        retries: retry.retries,
        minTimeout: 0,
        maxTimeout: 0,
        randomize: false,
        onFailedAttempt: async (failure) => {
          const err = failure as unknown as VendorApiError;
          // The connection is down (or refusing us): the event waits for the circuit, not here.
          if (this.options.circuit?.isOpen) throw new AbortError(err);
          const asked = err.retryAfterMs ?? null;
          if (asked !== null && asked > retry.maxRetryAfterMs) {
            // Do not hold a worker slot for a long vendor pause: give up now, retryable.
            throw new AbortError(err);
          }
          if (failure.retriesLeft <= 0) return;
          const wait = asked ?? backoffMs(failure.attemptNumber, retry.minDelayMs, retry.maxDelayMs);
          logger.warn('vendor call will be retried', {
            ...base,
            status: err.status ?? undefined,
            kind: err.kind,
            attempt: failure.attemptNumber,
            waitMs: wait,
          });
          if (asked !== null || err.kind === 'rate_limited') this.options.metrics?.rateLimitWait(vendor, wait);
          await sleep(wait);
        },
      },
    ).catch((err: unknown) => {
      // p-retry wraps aborts; hand callers the VendorApiError itself.
      const inner = err instanceof AbortError ? (err as AbortError & { originalError?: unknown }).originalError : err;
      if (inner instanceof VendorApiError) {
        inner.attempts = attempt;
        throw inner;
      }
      if (inner instanceof CircuitOpenError) throw inner;
      throw err;
    });
  }
}

/** Follows a vendor's pages until it says there are none. */
export async function* paginate<T, C>(
  first: C,
  fetchPage: (cursor: C) => Promise<{ items: T[]; next: C | null }>,
  maxPages = 10_000,
): AsyncGenerator<T> {
  let cursor: C | null = first;
  for (let page = 0; cursor !== null && page < maxPages; page += 1) {
    const { items, next } = await fetchPage(cursor);
    yield* items;
    cursor = next;
  }
}

export async function collect<T>(iter: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iter) out.push(item);
  return out;
}
