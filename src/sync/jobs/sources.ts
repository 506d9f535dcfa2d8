import type { LoadedConfig } from '../../config/load';
import type { JiraConnectionConfig } from '../../config/schema';
import type { Ticket, Vendor } from '../../domain/ticket';
import type { Logger } from '../../logging/logger';
import type { HelpdeskClient, JiraClientApi } from '../../vendors/types';
import type { IncrementalStart, IncrementalTicketsPage } from '../../vendors/zendesk/client';
import type { VendorClients } from '../clients';
import { changedIssuesJql, isoSeconds, unixSeconds, type ChangedRecord } from './decide';
import type { JobSelection } from './types';

/**
 * Each vendor's way of listing what changed, as pages of ChangedRecord (Freshdesk's updated_since
 * list, Zendesk's cursor-based incremental export, Jira's JQL search). A source streams: it holds one vendor page at a time, never the whole history.
 */

/** Where a walk starts: an instant, or (Zendesk) the export's own cursor. */
export type SourceStart = { since: Date } | { after: string };

export interface ChangePage {
  records: ChangedRecord[];
  /** Zendesk's after_cursor once this page is read: the next walk resumes from it. */
  after: string | null;
}

export interface ChangeSource {
  vendor: Vendor;
  connectionId: string;
  entity: 'ticket' | 'issue';
  /** The vendor keeps a resumable cursor of its own (Zendesk's export); others resume by time. */
  cursorBased: boolean;
  pages(start: SourceStart): AsyncGenerator<ChangePage>;
}

/** What the jobs need of the Zendesk client (ZendeskClient has it; HelpdeskClient does not name it). */
export interface IncrementalExport {
  incrementalTickets(start: IncrementalStart): Promise<IncrementalTicketsPage>;
}

/** What the jobs need of the Freshdesk client. */
export interface UpdatedSinceList {
  listTicketsUpdatedSince(sinceIso: string): AsyncGenerator<Ticket>;
}

/** GET /rest/api/3/myself, if the Jira client offers it: JQL dates are read in this zone. */
export interface JiraMyself {
  myself(): Promise<{ timeZone?: string | null }>;
}

function hasMethod<K extends string>(value: unknown, name: K): value is Record<K, (...args: never[]) => unknown> {
  return typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)[name] === 'function';
}

export function zendeskSource(connectionId: string, client: IncrementalExport, logger?: Logger): ChangeSource {
  return {
    vendor: 'zendesk',
    connectionId,
    entity: 'ticket',
    cursorBased: true,
    async *pages(start) {
      // start_time only on the very first call; after that always the cursor, as Zendesk's export asks.
      let request: IncrementalStart = 'after' in start ? { cursor: start.after } : { startTime: unixSeconds(start.since) };
      for (;;) {
        const page = await client.incrementalTickets(request);
        yield {
          records: page.tickets.map((t) => ({ id: t.id, updatedAt: t.updatedAt, deleted: t.deleted })),
          after: page.afterCursor,
        };
        if (page.endOfStream) return;
        if (!page.afterCursor || ('cursor' in request && request.cursor === page.afterCursor && page.tickets.length === 0)) {
          // A page that promises more but names no new cursor would loop for ever.
          logger?.warn('zendesk incremental export gave no cursor to go on; stopping this walk', { connection: connectionId });
          return;
        }
        request = { cursor: page.afterCursor };
      }
    },
  };
}

/**
 * Freshdesk's list is consumed as the client streams it (the client crosses the 300-page wall
 * with a new updated_since window); records are grouped in pages of the vendor's size, and the
 * group is handed on before the next vendor page is asked for.
 */
export function freshdeskSource(connectionId: string, client: UpdatedSinceList, pageSize = 100): ChangeSource {
  return {
    vendor: 'freshdesk',
    connectionId,
    entity: 'ticket',
    cursorBased: false,
    async *pages(start) {
      const since = 'since' in start ? start.since : new Date(0);
      let batch: ChangedRecord[] = [];
      for await (const ticket of client.listTicketsUpdatedSince(isoSeconds(since))) {
        batch.push({ id: ticket.id, updatedAt: ticket.updatedAt });
        if (batch.length >= pageSize) {
          yield { records: batch, after: null };
          batch = [];
        }
      }
      yield { records: batch, after: null };
    },
  };
}

/**
 * Jira's search, bounded by project and `updated >=`, oldest first, paged by nextPageToken.
 * Only `updated` is asked for (the client adds its canonical fields); no comments are read.
 */
export function jiraSource(connectionId: string, client: JiraClientApi, projectKey: string | null, timeZone: () => Promise<string>, pageSize = 100): ChangeSource {
  return {
    vendor: 'jira',
    connectionId,
    entity: 'issue',
    cursorBased: false,
    async *pages(start) {
      const since = 'since' in start ? start.since : new Date(0);
      const jql = changedIssuesJql(projectKey, since, await timeZone());
      let token: string | null = null;
      do {
        const page = await client.searchPage(jql, ['updated'], token, pageSize);
        yield { records: page.issues.map((i) => ({ id: i.id, key: i.key, updatedAt: i.updated })), after: null };
        token = page.nextPageToken;
      } while (token);
    },
  };
}

/**
 * The API user's time zone, read once per process and connection where the client can read
 * it; otherwise UTC, which the poll's overlap (jobs.pollOverlapSeconds) must then cover.
 */
const zoneCache = new Map<string, Promise<string>>();
function jiraTimeZone(connectionId: string, client: JiraClientApi, logger?: Logger): () => Promise<string> {
  return () => {
    const cached = zoneCache.get(connectionId);
    if (cached) return cached;
    const lookup = (async () => {
      if (!hasMethod(client, 'myself')) return 'UTC';
      try {
        const me = await (client as unknown as JiraMyself).myself();
        const zone = me.timeZone ?? 'UTC';
        // An unknown zone name would make Intl throw at every poll; fall back once here.
        new Intl.DateTimeFormat('en-CA', { timeZone: zone });
        return zone;
      } catch (err) {
        logger?.warn('jira: the API user\'s time zone could not be read; JQL dates are written in UTC', { connection: connectionId, error: (err as Error).message });
        zoneCache.delete(connectionId);
        return 'UTC';
      }
    })();
    zoneCache.set(connectionId, lookup);
    return lookup;
  };
}

export interface SourceSelection {
  sources: ChangeSource[];
  /** Connections left out, and why (disabled, no client for this walk). */
  skipped: string[];
}

/** The change sources of every enabled connection (or the one selected). */
export function sourcesFor(loaded: LoadedConfig, clients: VendorClients, selection: JobSelection = {}, logger?: Logger): SourceSelection {
  const sources: ChangeSource[] = [];
  const skipped: string[] = [];
  for (const c of loaded.connections) {
    if (selection.vendor && c.vendor !== selection.vendor) continue;
    if (selection.connectionId && c.id !== selection.connectionId) continue;
    const label = `${c.vendor}/${c.id}`;
    if (!c.enabled) {
      skipped.push(`${label}: disabled (missing ${c.missing.join(', ')})`);
      continue;
    }
    if (c.vendor === 'jira') {
      const client = clients.jira(c.id);
      if (!client) {
        skipped.push(`${label}: no client`);
        continue;
      }
      const projectKey = (c.settings as JiraConnectionConfig).projectKey ?? null;
      sources.push(jiraSource(c.id, client, projectKey, jiraTimeZone(c.id, client, logger)));
      continue;
    }
    const client: HelpdeskClient | undefined = clients.helpdesk(c.vendor, c.id);
    if (c.vendor === 'zendesk' && hasMethod(client, 'incrementalTickets')) {
      sources.push(zendeskSource(c.id, client as unknown as IncrementalExport, logger));
    } else if (c.vendor === 'freshdesk' && hasMethod(client, 'listTicketsUpdatedSince')) {
      sources.push(freshdeskSource(c.id, client as unknown as UpdatedSinceList));
    } else {
      skipped.push(`${label}: its client cannot list changed tickets`);
    }
  }
  return { sources, skipped };
}
