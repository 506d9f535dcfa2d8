import { SandboxHttpError } from '../core/sandbox-app';

/**
 * Freshdesk's error bodies. Validation errors carry `description` and `errors[]` (one entry per
 * field); authentication, permission and server errors carry `code` and `message`. A missing
 * record is a bare 404 without a body, which is what the client's tests record for a missing
 * ticket.
 */

export type FieldErrorCode = 'invalid_value' | 'missing_field' | 'datatype_mismatch' | 'invalid_field';

export interface FieldError {
  field: string;
  message: string;
  code: FieldErrorCode;
}

export function validationFailed(errors: FieldError[]): SandboxHttpError {
  return new SandboxHttpError(400, { description: 'Validation failed', errors });
}

export function invalidValue(field: string, message: string): FieldError {
  return { field, message, code: 'invalid_value' };
}

/** 404 without a body; undefined renders as an empty answer. */
export function notFound(): SandboxHttpError {
  return new SandboxHttpError(404, undefined);
}

export const INVALID_CREDENTIALS = { code: 'invalid_credentials', message: 'You have to be logged in to perform this action.' };

/** The body SandboxApp uses for answers it produces itself (401, faults, unknown paths). */
export function errorBody(status: number, message: string): unknown {
  if (status === 401) return INVALID_CREDENTIALS;
  if (status === 404) return undefined;
  if (status === 429) return { code: 'rate_limit_exceeded', message: 'You have exceeded the limit of requests per minute. Please try again after some time.' };
  if (status >= 500) return { code: 'internal_error', message: `We're sorry, but something went wrong. (${message})` };
  return { code: 'invalid_value', message };
}

/** Freshdesk's wording for a value of the wrong JSON type. */
export function datatypeMismatch(field: string, value: unknown, expected: string): FieldError {
  return { field, message: `Value set is of type ${jsonTypeName(value)}.It should be a/an ${expected}`, code: 'datatype_mismatch' };
}

function jsonTypeName(value: unknown): string {
  if (value === null) return 'Null';
  if (Array.isArray(value)) return 'Array';
  switch (typeof value) {
    case 'string':
      return 'String';
    case 'number':
      return Number.isInteger(value) ? 'Integer' : 'Float';
    case 'boolean':
      return 'Boolean';
    default:
      return 'Object';
  }
}
