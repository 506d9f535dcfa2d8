import type { HelpdeskVendor } from '../../domain/ticket';
import { entityKeyOf, type TicketLink } from '../../store/types';
import type { ConnectionSummary, JobContext, JobOutput, JobSelection } from './types';
import { errorText } from './walk';

const PAGE = 100;

/**
 * M6 reconcile: one `reconcile.pair` event per linked pair, on the ticket, so the worker (the
 * mirror handler) compares both sides and repairs or reports the drift. The job itself only
 * queues; its key carries the run id, so every run looks at every pair once.
 */
export async function reconcile(ctx: JobContext, selection: JobSelection = {}): Promise<JobOutput> {
  const helpdesk = selection.vendor && selection.vendor !== 'jira' ? { vendor: selection.vendor, connectionId: selection.connectionId } : {};
  const links = (await ctx.store.listLinks(helpdesk)).filter(
    (l) => l.state === 'linked' && l.issueId !== null && (selection.vendor !== 'jira' || !selection.connectionId || l.jiraConnectionId === selection.connectionId),
  );
  const notes: string[] = [];
  const groups = new Map<string, TicketLink[]>();
  for (const link of links) {
    const vendor = link.ticket.vendor as HelpdeskVendor;
    if (!ctx.clients.helpdesk(vendor, link.ticket.connectionId) || !ctx.clients.jira(link.jiraConnectionId)) continue;
    const key = `${vendor}/${link.ticket.connectionId}`;
    groups.set(key, [...(groups.get(key) ?? []), link]);
  }
  const unreachable = links.length - [...groups.values()].reduce((n, g) => n + g.length, 0);
  if (unreachable > 0) notes.push(`${unreachable} linked pair(s) left out: their helpdesk or Jira connection is not enabled`);
  const connections: ConnectionSummary[] = [];
  for (const group of groups.values()) connections.push(await queuePairs(ctx, group));
  const pairs = connections.reduce((n, c) => n + c.enqueued, 0);
  return { connections, notes, extra: { pairs } };
}

async function queuePairs(ctx: JobContext, links: TicketLink[]): Promise<ConnectionSummary> {
  const first = links[0] as TicketLink;
  const vendor = first.ticket.vendor;
  const connectionId = first.ticket.connectionId;
  const summary: ConnectionSummary = { vendor, connectionId, pages: 0, seen: 0, changed: 0, enqueued: 0, error: null };
  try {
    for (let i = 0; i < links.length; i += PAGE) {
      ctx.signal.throwIfAborted();
      const page = links.slice(i, i + PAGE);
      let queued = 0;
      for (const link of page) {
        const now = ctx.now();
        const result = await ctx.store.enqueue({
          vendor,
          connectionId,
          entityKey: entityKeyOf('ticket', link.ticket.id),
          dedupeKey: `reconcile:${ctx.runId}:${vendor}:${connectionId}:${link.ticket.id}`,
          dedupeWindowMs: null,
          eventType: 'reconcile.pair',
          source: 'poll',
          payload: { reconcile: { issueId: link.issueId, issueKey: link.issueKey, runId: ctx.runId } },
          headers: {},
          receivedAt: now,
        });
        if (!result.duplicate) queued += 1;
      }
      summary.pages += 1;
      summary.seen += page.length;
      summary.enqueued += queued;
      const totals = { seen: summary.seen, changed: 0, enqueued: summary.enqueued };
      ctx.progress.page({ job: 'reconcile', vendor, connectionId, page: summary.pages, counts: { seen: page.length, changed: 0, enqueued: queued }, totals, position: null, since: null });
      if (queued > 0) ctx.onEnqueued();
    }
    ctx.progress.finished('reconcile', vendor, connectionId);
  } catch (err) {
    summary.error = errorText(err);
    ctx.logger.error(`reconcile of ${vendor}/${connectionId} stopped`, { vendor, connection: connectionId, error: summary.error });
  }
  return summary;
}
