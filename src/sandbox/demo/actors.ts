import axios, { type AxiosError, type AxiosInstance, type InternalAxiosRequestConfig } from 'axios';

/**
 * The demo's people acting through the vendors' public APIs, each with their own credential,
 * as a person in the vendor's UI would. Nothing here touches sandbox internals: what the demo
 * does, a real account would accept.
 */

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * People retry when the vendor is briefly unavailable, as a browser user would: a 429 or 5xx
 * from a sandbox fault is answered before any change is made, so trying again is safe.
 */
function api(baseURL: string, username: string, password: string): AxiosInstance {
  const http = axios.create({ baseURL, auth: { username, password }, timeout: 10_000, headers: { 'Content-Type': 'application/json' } });
  http.interceptors.response.use(undefined, async (err: AxiosError) => {
    const status = err.response?.status ?? 0;
    const config: InternalAxiosRequestConfig | undefined = err.config;
    // The attempt count travels with the request, since axios copies the config on each try.
    const n = Number(config?.headers?.['X-Demo-Attempt'] ?? 0);
    if (!config || (status !== 429 && status < 500) || n >= 8) throw err;
    config.headers.set('X-Demo-Attempt', String(n + 1));
    await sleep(Number(err.response?.headers['retry-after'] ?? 0) * 1000 + 50);
    return http.request(config);
  });
  return http;
}

export function adfText(...paragraphs: string[]): { version: 1; type: 'doc'; content: unknown[] } {
  return {
    version: 1,
    type: 'doc',
    content: paragraphs.map((text) => ({ type: 'paragraph', content: [{ type: 'text', text }] })),
  };
}

export class FreshdeskAgent {
  private readonly http: AxiosInstance;

  constructor(baseUrl: string, apiKey: string) {
    this.http = api(baseUrl, apiKey, 'X');
  }

  async createTicket(fields: Record<string, unknown>): Promise<{ id: number }> {
    return (await this.http.post('/api/v2/tickets', fields)).data as { id: number };
  }

  async update(ticketId: number, fields: Record<string, unknown>): Promise<{ tags: string[] }> {
    return (await this.http.put(`/api/v2/tickets/${ticketId}`, fields)).data as { tags: string[] };
  }

  async get(ticketId: number): Promise<{ tags: string[] }> {
    return (await this.http.get(`/api/v2/tickets/${ticketId}`)).data as { tags: string[] };
  }

  async addTags(ticketId: number, tags: string[]): Promise<void> {
    // Freshdesk replaces the whole list, as an agent's edit form does.
    const current = await this.get(ticketId);
    await this.update(ticketId, { tags: [...new Set([...current.tags, ...tags])] });
  }

  async privateNote(ticketId: number, html: string): Promise<void> {
    await this.http.post(`/api/v2/tickets/${ticketId}/notes`, { body: html, private: true });
  }

  async reply(ticketId: number, html: string): Promise<void> {
    await this.http.post(`/api/v2/tickets/${ticketId}/reply`, { body: html });
  }

  /** A customer's emailed reply, as Freshdesk records it: an incoming note from the contact. */
  async customerReply(ticketId: number, contactId: number, html: string): Promise<void> {
    await this.http.post(`/api/v2/tickets/${ticketId}/notes`, { body: html, private: false, incoming: true, user_id: contactId });
  }
}

export class ZendeskAgent {
  private readonly http: AxiosInstance;

  constructor(baseUrl: string, email: string, apiToken: string) {
    this.http = api(baseUrl, `${email}/token`, apiToken);
  }

  async createTicket(ticket: Record<string, unknown>): Promise<{ id: number }> {
    const data = (await this.http.post('/api/v2/tickets.json', { ticket })).data as { ticket: { id: number } };
    return data.ticket;
  }

  async update(ticketId: number, ticket: Record<string, unknown>): Promise<void> {
    await this.http.put(`/api/v2/tickets/${ticketId}.json`, { ticket });
  }

  async comment(ticketId: number, body: string, isPublic: boolean, extra: Record<string, unknown> = {}): Promise<void> {
    await this.update(ticketId, { comment: { body, public: isPublic }, ...extra });
  }

  /** Adds tags without touching the others, as the agent's tag field does. */
  async addTags(ticketId: number, tags: string[]): Promise<void> {
    await this.http.put(`/api/v2/tickets/${ticketId}/tags.json`, { tags });
  }
}

interface Transition {
  id: string;
  name: string;
  to: { name: string };
}

export class JiraUser {
  private readonly http: AxiosInstance;

  constructor(baseUrl: string, email: string, apiToken: string) {
    this.http = api(baseUrl, email, apiToken);
  }

  async createIssue(fields: Record<string, unknown>): Promise<{ id: string; key: string }> {
    return (await this.http.post('/rest/api/3/issue', { fields })).data as { id: string; key: string };
  }

  async edit(key: string, fields: Record<string, unknown>): Promise<void> {
    await this.http.put(`/rest/api/3/issue/${key}`, { fields });
  }

  async comment(key: string, text: string): Promise<void> {
    await this.http.post(`/rest/api/3/issue/${key}/comment`, { body: adfText(text) });
  }

  /** Transition ids differ between workflows: find the one that leads to the named status. */
  async transitionTo(key: string, statusName: string, comment?: string): Promise<void> {
    const { transitions } = (await this.http.get(`/rest/api/3/issue/${key}/transitions`)).data as { transitions: Transition[] };
    const t = transitions.find((x) => x.to.name.toLowerCase() === statusName.toLowerCase());
    if (!t) throw new Error(`${key} has no transition to "${statusName}" (available: ${transitions.map((x) => x.to.name).join(', ')})`);
    await this.http.post(`/rest/api/3/issue/${key}/transitions`, {
      transition: { id: t.id },
      ...(comment ? { update: { comment: [{ add: { body: adfText(comment) } }] } } : {}),
    });
  }
}
