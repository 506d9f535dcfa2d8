import type { HelpdeskVendor, Vendor } from '../../domain/ticket';
import { entityKeyOf, type NewInboxEvent } from '../../store/types';
import { SLA_CHECK_EVENT } from '../sla-event';
import type { ConnectionSummary, JobContext, JobOutput, JobSelection } from './types';
import { errorText } from './walk';

/** Records looked at in one run; more wait for the next (every five minutes by default). */
const DUE_PER_RUN = 5_000;
/** Tickets known from before SLA tracking, queued per run, so they do not crowd out live events. */
const LEARN_PER_RUN = 2_000;
const LEARN_DEDUPE_MS = 24 * 3_600_000;

/**
 * S2/S3 on a clock: a breach needs no webhook, nothing happens on a ticket nobody answers. The
 * job finds the tickets whose next due time has come (a first-response or resolution target,
 * or a linked bug's fix target; the store keeps that time per ticket, so a run reads only
 * those) and puts a `sweep.sla` event for each into the inbox, the one door, so the worker
 * reads the ticket fresh in its own order and the SLA handler escalates once. The event's key
 * is the ticket and that due time: two runs, or two processes, queue it once.
 *
 * Tickets the store knew before SLA tracking began get one such event too, a batch per run, so
 * every open ticket the service knows ends up with its SLA state.
 */
export async function slaJob(ctx: JobContext, selection: JobSelection = {}): Promise<JobOutput> {
  const notes: string[] = [];
  if (!ctx.loaded.config.sla.enabled) return { connections: [], notes: ['sla.enabled is false: nothing looked at'] };
  const byConnection = new Map<string, ConnectionSummary>();
  const summaryOf = (vendor: Vendor, connectionId: string): ConnectionSummary => {
    const key = `${vendor}/${connectionId}`;
    let s = byConnection.get(key);
    if (!s) byConnection.set(key, (s = { vendor, connectionId, pages: 0, seen: 0, changed: 0, enqueued: 0, error: null }));
    return s;
  };
  const wanted = (vendor: Vendor, connectionId: string): boolean =>
    (!selection.vendor || selection.vendor === vendor) && (!selection.connectionId || selection.connectionId === connectionId) && !!ctx.clients.helpdesk(vendor as HelpdeskVendor, connectionId);
  const extra = { due: 0, learnt: 0 };
  let unreachable = 0;

  const queue = async (event: Omit<NewInboxEvent, 'entityKey' | 'eventType' | 'source' | 'headers' | 'receivedAt'> & { ticketId: string; source: NewInboxEvent['source'] }): Promise<boolean> => {
    const { ticketId, ...rest } = event;
    // The inbox keeps real time (leases, retries, the worker's claims); ctx.now() is the clock
    // the rules judge by, which the demo moves forward.
    const result = await ctx.store.enqueue({ ...rest, entityKey: entityKeyOf('ticket', ticketId), eventType: SLA_CHECK_EVENT, headers: {}, receivedAt: new Date() });
    return !result.duplicate;
  };

  try {
    ctx.signal.throwIfAborted();
    const now = ctx.now();
    const due = await ctx.store.listSlaDue(now, DUE_PER_RUN);
    if (due.length === DUE_PER_RUN) notes.push(`${DUE_PER_RUN} tickets were due; the rest wait for the next run`);
    for (const record of due) {
      const { vendor, connectionId, id } = record.ticket;
      if (!wanted(vendor, connectionId)) {
        if (!selection.vendor && !selection.connectionId) unreachable += 1;
        continue;
      }
      const s = summaryOf(vendor, connectionId);
      s.seen += 1;
      extra.due += 1;
      const at = (record.nextCheckAt as Date).toISOString();
      if (await queue({ vendor, connectionId, ticketId: id, dedupeKey: `sla:due:${vendor}:${connectionId}:${id}:${at}`, dedupeWindowMs: null, source: 'poll', payload: { sla: 'due', dueAt: at } })) s.enqueued += 1;
    }
    if (unreachable) notes.push(`${unreachable} due ticket(s) left out: their connection is not enabled`);

    let after: Awaited<ReturnType<typeof ctx.store.listTicketsWithoutSla>>[number] | undefined;
    let learnt = 0;
    while (learnt < LEARN_PER_RUN) {
      ctx.signal.throwIfAborted();
      const page = await ctx.store.listTicketsWithoutSla(Math.min(500, LEARN_PER_RUN - learnt), after);
      if (!page.length) break;
      after = page[page.length - 1];
      for (const ref of page) {
        if (!wanted(ref.vendor, ref.connectionId)) continue;
        const s = summaryOf(ref.vendor, ref.connectionId);
        s.seen += 1;
        learnt += 1;
        // Backfill's lane: live events of other tickets go first.
        if (await queue({ vendor: ref.vendor, connectionId: ref.connectionId, ticketId: ref.id, dedupeKey: `sla:learn:${ref.vendor}:${ref.connectionId}:${ref.id}`, dedupeWindowMs: LEARN_DEDUPE_MS, source: 'backfill', payload: { sla: 'first_look' } })) s.enqueued += 1;
      }
    }
    extra.learnt = learnt;
    if (learnt) notes.push(`${learnt} ticket(s) known from before SLA tracking queued for a first look`);
  } catch (err) {
    const error = errorText(err);
    ctx.logger.error('sla job stopped', { error });
    const first = [...byConnection.values()][0];
    if (first) first.error = error;
    else return { connections: [{ vendor: selection.vendor ?? 'freshdesk', connectionId: selection.connectionId ?? '*', pages: 0, seen: 0, changed: 0, enqueued: 0, error }], notes, extra };
  }
  const connections = [...byConnection.values()].map((s) => ({ ...s, pages: 1 }));
  if (connections.some((c) => c.enqueued > 0)) ctx.onEnqueued();
  return { connections, notes, extra };
}
