import { SandboxHttpError } from '../core/sandbox-app';

/** Zendesk's error bodies, by status, for the shared SandboxApp (401, 404, 429, 5xx). */
export function zendeskErrorBody(status: number, message: string): unknown {
  switch (status) {
    case 401:
      return { error: "Couldn't authenticate you" };
    case 404:
      return { error: 'RecordNotFound', description: 'Not found' };
    case 429:
      return { error: 'APIRateLimitExceeded', description: 'Number of allowed API requests per minute exceeded' };
    case 503:
      return { error: 'ServiceUnavailable', description: message };
    default:
      return status >= 500 ? { error: 'InternalServerError', description: message } : { error: 'InvalidRequest', description: message };
  }
}

export function notFound(): SandboxHttpError {
  return new SandboxHttpError(404, zendeskErrorBody(404, 'Not found'));
}

/** 422 RecordInvalid with Zendesk's `details: {field: [{description, error}]}`. */
export function recordInvalid(details: Record<string, string>): SandboxHttpError {
  const shaped = Object.fromEntries(Object.entries(details).map(([field, description]) => [field, [{ description, error: 'InvalidValue' }]]));
  return new SandboxHttpError(422, { error: 'RecordInvalid', description: 'Record validation errors', details: shaped });
}

export function badRequest(error: string, description: string): SandboxHttpError {
  return new SandboxHttpError(400, { error, description });
}

export function forbidden(): SandboxHttpError {
  return new SandboxHttpError(403, {
    error: 'Forbidden',
    description: 'You do not have access to this page. Please contact the account owner of this help desk for further help.',
  });
}

/** Zendesk's answer to a safe_update whose updated_stamp is no longer the ticket's updated_at. */
export function updateConflict(): SandboxHttpError {
  return new SandboxHttpError(409, {
    error: 'UpdateConflict',
    description: 'Safe Update prevented the update due to outdated ticket data. Please fetch the latest ticket data and try again.',
  });
}
