import type { Request } from 'express';
import type { ZendeskState } from './state';

/**
 * API-token Basic auth: `Authorization: Basic base64("{email}/token:{api_token}")`. Answers the
 * agent's id, or null (the app then answers Zendesk's 401). Password auth is not offered:
 * every seeded agent has a token, as helpdesk-sync and the demo use.
 */
export function authenticate(state: ZendeskState, req: Request): string | null {
  const header = req.get('authorization') ?? '';
  const match = /^Basic\s+(\S+)$/i.exec(header);
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  const username = decoded.slice(0, colon);
  const token = decoded.slice(colon + 1);
  if (!username.toLowerCase().endsWith('/token')) return null;
  const user = state.userByEmail(username.slice(0, -'/token'.length));
  if (!user || user.apiToken === null || user.apiToken !== token) return null;
  return String(user.id);
}
