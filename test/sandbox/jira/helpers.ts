import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../../src/logging/logger';
import { JiraSandbox } from '../../../src/sandbox/jira';
import type { JIRA_USERS } from '../../../src/sandbox/seed-people';
import { JiraClient } from '../../../src/vendors/jira/client';
import type { AdfDoc } from '../../../src/vendors/types';

export function clientFor(baseUrl: string, user: keyof typeof JIRA_USERS = 'integration'): JiraClient {
  const { email, apiToken } = JiraSandbox.credentials(user);
  return new JiraClient({
    connectionId: 'jira-sandbox',
    baseUrl,
    email,
    apiToken,
    timeoutMs: 5000,
    retry: { retries: 3, minDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5000 },
    logger: createLogger({ level: 'silent' }),
  });
}

export const adf = (...paragraphs: string[]): AdfDoc => ({
  version: 1,
  type: 'doc',
  content: paragraphs.map((p) => ({ type: 'paragraph', content: [{ type: 'text', text: p }] })),
});

export function basic(user: keyof typeof JIRA_USERS): string {
  const { email, apiToken } = JiraSandbox.credentials(user);
  return `Basic ${Buffer.from(`${email}:${apiToken}`).toString('base64')}`;
}

export interface Received {
  headers: IncomingHttpHeaders;
  raw: Buffer;
  body: Record<string, unknown>;
}

/** A webhook listener that records every request; `statuses` answers the first ones (then 200). */
export class WebhookReceiver {
  readonly received: Received[] = [];
  readonly statuses: number[] = [];
  private server: Server | null = null;
  url = '';

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        this.received.push({ headers: req.headers, raw, body: JSON.parse(raw.toString('utf8')) as Record<string, unknown> });
        res.statusCode = this.statuses.shift() ?? 200;
        res.end();
      });
    });
    await new Promise<void>((resolve) => (this.server as Server).listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/jira`;
    return this.url;
  }

  events(): string[] {
    return this.received.map((r) => String(r.body.webhookEvent));
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

export async function startSandbox(options: ConstructorParameters<typeof JiraSandbox>[0] = {}): Promise<{ sandbox: JiraSandbox; url: string }> {
  const sandbox = new JiraSandbox({ webhookRetryDelayMs: 5, ...options });
  const url = await sandbox.listen(0);
  return { sandbox, url };
}
