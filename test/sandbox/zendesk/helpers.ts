import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../../src/logging/logger';
import { ZENDESK_AGENTS } from '../../../src/sandbox/seed-people';
import { ZendeskSandbox, type ZendeskSandboxOptions } from '../../../src/sandbox/zendesk';
import { ZendeskClient } from '../../../src/vendors/zendesk/client';

export type AgentKey = keyof typeof ZENDESK_AGENTS;

export async function startSandbox(options: ZendeskSandboxOptions = {}): Promise<{ sandbox: ZendeskSandbox; url: string }> {
  const sandbox = new ZendeskSandbox({ webhookRetryDelayMs: 5, ...options });
  const url = await sandbox.listen(0);
  return { sandbox, url };
}

/** Our production client, authenticated as one seeded agent. */
export function clientFor(url: string, agent: AgentKey = 'integration'): ZendeskClient {
  const a = ZENDESK_AGENTS[agent];
  return new ZendeskClient({
    connectionId: 'zd-sandbox',
    baseUrl: url,
    timeoutMs: 5_000,
    retry: { retries: 3, minDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5000 },
    logger: createLogger({ level: 'silent' }),
    email: a.email,
    apiToken: a.apiKey,
  });
}

export function basicAuth(email: string, token: string): string {
  return `Basic ${Buffer.from(`${email}/token:${token}`).toString('base64')}`;
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  // Loosely typed on purpose: tests read whichever part of Zendesk's answer they assert on.
  body: Record<string, unknown> & { ticket?: Record<string, unknown>; details?: Record<string, Array<{ description: string }>> };
}

/** A raw API call as an agent would make it (the demo plays agents this way). */
export async function api(url: string, agent: AgentKey, method: string, path: string, body?: unknown): Promise<ApiAnswer> {
  const a = ZENDESK_AGENTS[agent];
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: basicAuth(a.email, a.apiKey), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as ApiAnswer['body']) : {} };
}

/** Creates a ticket as an agent and answers its id. */
export async function createTicket(url: string, agent: AgentKey, ticket: Record<string, unknown>): Promise<number> {
  const res = await api(url, agent, 'POST', '/api/v2/tickets.json', { ticket });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return Number(res.body.ticket?.id);
}

export interface Received {
  headers: IncomingHttpHeaders;
  raw: Buffer;
  body: {
    type: string;
    id: string;
    subject: string;
    detail: Record<string, unknown>;
    event: Record<string, unknown>;
  };
}

/** A webhook endpoint that records every request; `failNext` answers 500 to the next N. */
export class WebhookReceiver {
  readonly received: Received[] = [];
  failNext = 0;
  attempts = 0;
  private server: Server | null = null;

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.attempts += 1;
        if (this.failNext > 0) {
          this.failNext -= 1;
          res.statusCode = 500;
          res.end();
          return;
        }
        const raw = Buffer.concat(chunks);
        this.received.push({ headers: req.headers, raw, body: JSON.parse(raw.toString('utf8')) as Received['body'] });
        res.statusCode = 200;
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/zendesk`;
  }

  types(): string[] {
    return this.received.map((r) => r.body.type.replace('zen:event-type:', ''));
  }

  clear(): void {
    this.received.length = 0;
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
