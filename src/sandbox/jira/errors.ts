import { SandboxHttpError } from '../core/sandbox-app';

/** Jira's error body: general messages plus a map of field id to message. */
export interface JiraErrorBody {
  errorMessages: string[];
  errors: Record<string, string>;
}

export function jiraErrorBody(errorMessages: string[], errors: Record<string, string> = {}): JiraErrorBody {
  return { errorMessages, errors };
}

/** The words Jira Cloud uses for the statuses the shared sandbox core produces itself. */
export function errorBodyForStatus(status: number, message: string): JiraErrorBody {
  if (status === 401) return jiraErrorBody(['Client must be authenticated to access this resource.']);
  if (status === 404) return jiraErrorBody(['The requested resource could not be found.']);
  if (status === 429) return jiraErrorBody(['Rate limit exceeded.']);
  return jiraErrorBody([message]);
}

export function badRequest(errorMessages: string[], errors: Record<string, string> = {}): SandboxHttpError {
  return new SandboxHttpError(400, jiraErrorBody(errorMessages, errors));
}

export function fieldErrors(errors: Record<string, string>): SandboxHttpError {
  return new SandboxHttpError(400, jiraErrorBody([], errors));
}

/** Malformed ADF: Jira names no field, only this bare INVALID_INPUT. */
export function invalidInput(): SandboxHttpError {
  return new SandboxHttpError(400, jiraErrorBody(['INVALID_INPUT']));
}

export function issueNotFound(): SandboxHttpError {
  return new SandboxHttpError(404, jiraErrorBody(['Issue does not exist or you do not have permission to see it.']));
}

export function notFound(message: string): SandboxHttpError {
  return new SandboxHttpError(404, jiraErrorBody([message]));
}
