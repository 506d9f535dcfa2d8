import type { Vendor } from '../../domain/ticket';

export type VendorErrorKind =
  | 'rate_limited' // 429
  | 'server' // 5xx
  | 'network' // connection refused/reset, DNS
  | 'timeout'
  | 'client' // 4xx other than 429: our request is wrong, retrying cannot help
  | 'invalid_response'; // 2xx whose body does not match the documented shape

export interface VendorApiErrorInit {
  vendor: Vendor;
  connectionId: string;
  operation: string;
  method: string;
  path: string;
  kind: VendorErrorKind;
  status: number | null;
  vendorMessage: string;
  /** Fields the vendor named as wrong (Jira's `errors` object, Zendesk `details`, Freshdesk `errors[].field`). */
  fields?: Record<string, string>;
  retryAfterMs?: number | null;
  attempts?: number;
}

/**
 * The one error type of the vendor boundary: which call failed (vendor, connection, operation,
 * method and path, never the query string with its ids or any header), the status, and the
 * vendor's own words. Classified by status and error type, never by matching message text.
 */
export class VendorApiError extends Error {
  readonly vendor: Vendor;
  readonly connectionId: string;
  readonly operation: string;
  readonly method: string;
  readonly path: string;
  readonly kind: VendorErrorKind;
  readonly status: number | null;
  readonly vendorMessage: string;
  readonly fields: Record<string, string>;
  readonly retryAfterMs: number | null;
  attempts: number;

  constructor(init: VendorApiErrorInit) {
    const fieldText = init.fields && Object.keys(init.fields).length
      ? ` (fields: ${Object.entries(init.fields).map(([k, v]) => `${k}: ${v}`).join('; ')})`
      : '';
    super(
      `${init.vendor} ${init.operation} (${init.method} ${init.path}) failed: ` +
        `${init.status ?? init.kind}${init.vendorMessage ? ` ${init.vendorMessage}` : ''}${fieldText}`,
    );
    this.name = 'VendorApiError';
    this.vendor = init.vendor;
    this.connectionId = init.connectionId;
    this.operation = init.operation;
    this.method = init.method;
    this.path = init.path;
    this.kind = init.kind;
    this.status = init.status;
    this.vendorMessage = init.vendorMessage;
    this.fields = init.fields ?? {};
    this.retryAfterMs = init.retryAfterMs ?? null;
    this.attempts = init.attempts ?? 1;
  }

  /** 429, 5xx, network errors and timeouts may succeed later; 4xx and bad shapes will not. */
  get retryable(): boolean {
    return this.kind === 'rate_limited' || this.kind === 'server' || this.kind === 'network' || this.kind === 'timeout';
  }

  get notFound(): boolean {
    return this.status === 404;
  }
}

export function isVendorApiError(err: unknown): err is VendorApiError {
  return err instanceof VendorApiError;
}

/**
 * A call we refuse to send because its input is invalid (an id the vendor's API cannot take):
 * no attempt can change that, so the event goes to the dead letters at once.
 */
export class InvalidRequestError extends Error {
  constructor(
    readonly vendor: Vendor,
    message: string,
  ) {
    super(`${vendor}: ${message}`);
    this.name = 'InvalidRequestError';
  }
}

/**
 * An operation of several calls whose first call wrote (a Freshdesk note, posted) and whose
 * later call failed (the tag or field update after it): the write stands under `resultId`,
 * and `failure` is why the rest did not happen.
 */
export class PartialWriteError extends Error {
  constructor(
    readonly resultId: string,
    readonly failure: unknown,
  ) {
    super(failure instanceof Error ? failure.message : String(failure));
    this.name = 'PartialWriteError';
  }
}
