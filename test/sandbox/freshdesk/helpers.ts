import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../../src/logging/logger';
import { FreshdeskSandbox } from '../../../src/sandbox/freshdesk';
import { FRESHDESK_AGENTS } from '../../../src/sandbox/seed-people';
import { FreshdeskClient } from '../../../src/vendors/freshdesk/client';

export const RETRY = { retries: 3, minDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5000 };

export async function startSandbox(options: { now?: () => Date } = {}): Promise<{ sandbox: FreshdeskSandbox; base: string }> {
  const sandbox = new FreshdeskSandbox({ ...options, webhookRetryDelayMs: 1 });
  const base = await sandbox.listen(0);
  return { sandbox, base };
}

export function clientFor(base: string, apiKey: string = FRESHDESK_AGENTS.integration.apiKey): FreshdeskClient {
  return new FreshdeskClient({
    connectionId: 'sandbox',
    baseUrl: base,
    apiKey,
    timeoutMs: 5000,
    retry: RETRY,
    logger: createLogger({ level: 'silent' }),
  });
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

/** A raw API call as an agent would make it (key as username, "X" as password). */
export async function call(base: string, apiKey: string, method: string, path: string, body?: unknown): Promise<ApiAnswer> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from(`${apiKey}:X`).toString('base64')}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** The JSON object of an answer, failing the test with the answer when it is something else. */
export function obj(answer: ApiAnswer): Record<string, unknown> {
  if (typeof answer.json !== 'object' || answer.json === null || Array.isArray(answer.json)) {
    throw new Error(`expected a JSON object, got ${answer.status} ${answer.text}`);
  }
  return answer.json as Record<string, unknown>;
}

export function list(answer: ApiAnswer): Record<string, unknown>[] {
  if (!Array.isArray(answer.json)) throw new Error(`expected a JSON array, got ${answer.status} ${answer.text}`);
  return answer.json as Record<string, unknown>[];
}

/** Creates a ticket as an agent and answers its id. */
export async function createTicket(base: string, apiKey: string, body: Record<string, unknown>): Promise<number> {
  const answer = await call(base, apiKey, 'POST', '/api/v2/tickets', { subject: 'Test ticket', description: '<p>Something broke</p>', ...body });
  if (answer.status !== 201) throw new Error(`create failed: ${answer.status} ${answer.text}`);
  return obj(answer)['id'] as number;
}

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  raw: Buffer;
  body: Record<string, unknown>;
}

/** A small webhook endpoint that records every request and answers `status`. */
export async function startReceiver(status = 200): Promise<{ url: string; received: ReceivedWebhook[]; close: () => Promise<void> }> {
  const received: ReceivedWebhook[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      received.push({ headers: req.headers, raw, body: JSON.parse(raw.toString('utf8')) as Record<string, unknown> });
      res.statusCode = status;
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/freshdesk`;
  return {
    url,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
