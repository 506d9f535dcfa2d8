import type { Request } from 'express';
import { SandboxHttpError } from '../core/sandbox-app';
import { datatypeMismatch, validationFailed, type FieldError } from './errors';

/**
 * Reads a request body field by field the way Freshdesk validates one: every problem is
 * collected and answered together as one "Validation failed" with an entry per field, and a
 * field the endpoint does not know is itself an error rather than silently ignored.
 */
export class BodyReader {
  readonly errors: FieldError[] = [];

  constructor(
    private readonly body: Record<string, unknown>,
    allowed: readonly string[],
  ) {
    for (const key of Object.keys(body)) {
      if (!allowed.includes(key)) this.errors.push({ field: key, message: 'Unexpected/invalid field in request', code: 'invalid_field' });
    }
  }

  has(field: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.body, field);
  }

  raw(field: string): unknown {
    return this.body[field];
  }

  fail(error: FieldError): void {
    this.errors.push(error);
  }

  missing(field: string, expected: string): void {
    this.errors.push({ field, message: `It should be a/an ${expected}`, code: 'missing_field' });
  }

  string(field: string, options: { required?: boolean } = {}): string | undefined {
    if (!this.has(field)) {
      if (options.required) this.missing(field, 'String');
      return undefined;
    }
    const value = this.body[field];
    if (typeof value === 'string') return value;
    this.errors.push(datatypeMismatch(field, value, 'String'));
    return undefined;
  }

  /** An integer id or enum; `null` only where the field may be cleared. */
  integer(field: string, options: { nullable?: boolean } = {}): number | null | undefined {
    if (!this.has(field)) return undefined;
    const value = this.body[field];
    if (value === null && options.nullable) return null;
    if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
    this.errors.push(datatypeMismatch(field, value, options.nullable ? 'Integer or null' : 'Integer'));
    return undefined;
  }

  boolean(field: string): boolean | undefined {
    if (!this.has(field)) return undefined;
    const value = this.body[field];
    if (typeof value === 'boolean') return value;
    this.errors.push(datatypeMismatch(field, value, 'Boolean'));
    return undefined;
  }

  stringArray(field: string): string[] | undefined {
    if (!this.has(field)) return undefined;
    const value = this.body[field];
    if (Array.isArray(value) && value.every((v): v is string => typeof v === 'string')) return value;
    this.errors.push(datatypeMismatch(field, value, 'Array'));
    return undefined;
  }

  object(field: string): Record<string, unknown> | undefined {
    if (!this.has(field)) return undefined;
    const value = this.body[field];
    if (isPlainObject(value)) return value;
    this.errors.push(datatypeMismatch(field, value, 'key/value pair'));
    return undefined;
  }

  throwIfInvalid(): void {
    if (this.errors.length > 0) throw validationFailed(this.errors);
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The JSON object of a POST/PUT; Freshdesk refuses other content types and non-object bodies. */
export function jsonBody(req: Request): Record<string, unknown> {
  if (!req.is('application/json')) {
    throw new SandboxHttpError(415, { code: 'invalid_content_type', message: 'Content-Type header should have application/json' });
  }
  const body: unknown = req.body;
  if (!isPlainObject(body)) {
    throw new SandboxHttpError(400, { code: 'invalid_json', message: 'Request body has invalid json format' });
  }
  return body;
}

/** One query parameter as a string; a repeated parameter counts by its last value. */
export function queryParam(req: Request, name: string): string | undefined {
  const value: unknown = (req.query as Record<string, unknown>)[name];
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const last: unknown = value[value.length - 1];
    return typeof last === 'string' ? last : undefined;
  }
  return undefined;
}

/** `?include=a,b`, each checked against what the endpoint allows. */
export function includes(req: Request, allowed: readonly string[]): Set<string> {
  const raw = queryParam(req, 'include');
  if (raw === undefined) return new Set();
  const wanted = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (wanted.some((w) => !allowed.includes(w))) {
    throw validationFailed([{ field: 'include', message: `It should be one of these values: '${allowed.join(',')}'`, code: 'invalid_value' }]);
  }
  return new Set(wanted);
}

/** A numeric path id; anything else cannot name a record, so it is a 404 like an unknown one. */
export function pathId(req: Request, name = 'id'): number | null {
  const raw = req.params[name];
  if (typeof raw !== 'string' || !/^\d{1,16}$/.test(raw)) return null;
  return Number(raw);
}
