import { secrets } from '../../logging/redact';
import { newestOf } from './decide';
import { enqueuePage, type PageCounts, type WalkKind } from './enqueue-page';
import type { ChangePage, ChangeSource, SourceStart } from './sources';
import type { ConnectionSummary, JobContext, JobName } from './types';

export interface WalkHooks {
  /** Before each vendor page is asked for: a backfill waits for room in the inbox here. */
  beforePage?: () => Promise<void>;
  /**
   * A page is queued in slices of this many records, each after `beforePage` again, so one
   * connection's large pages (Zendesk's 1000) do not crowd the inbox ahead of another's. The
   * cursor is still saved once the whole page is in.
   */
  sliceSize?: number;
  /** After the page's events are in the inbox: the cursor is saved here, never before. */
  afterPage: (page: ChangePage, newest: string | null) => Promise<void>;
}

export function errorText(err: unknown): string {
  return secrets.maskString(err instanceof Error ? err.message : String(err)).slice(0, 2000);
}

/**
 * One connection's walk: page by page, into the inbox, then the cursor. A failure ends this
 * connection's walk (its cursor stays at the last page saved) and is reported in its summary;
 * the other connections go on. An abort (lock lost, process stopping) ends it the same way.
 */
export async function walk(ctx: JobContext, job: JobName, kind: WalkKind, source: ChangeSource, start: SourceStart, since: Date | null, hooks: WalkHooks): Promise<ConnectionSummary> {
  const summary: ConnectionSummary = { vendor: source.vendor, connectionId: source.connectionId, pages: 0, seen: 0, changed: 0, enqueued: 0, error: null };
  const totals: PageCounts = { seen: 0, changed: 0, enqueued: 0 };
  const pages = source.pages(start);
  let newest: string | null = null;
  try {
    for (;;) {
      ctx.signal.throwIfAborted();
      await hooks.beforePage?.();
      ctx.signal.throwIfAborted();
      const next = await pages.next();
      if (next.done) break;
      const page = next.value;
      const slice = hooks.sliceSize ?? Math.max(1, page.records.length);
      const counts: PageCounts = { seen: 0, changed: 0, enqueued: 0 };
      for (let i = 0; i === 0 || i < page.records.length; i += slice) {
        if (i > 0) {
          ctx.signal.throwIfAborted();
          await hooks.beforePage?.();
        }
        const part = await enqueuePage(ctx.store, source, page.records.slice(i, i + slice), kind, ctx.now());
        counts.seen += part.seen;
        counts.changed += part.changed;
        counts.enqueued += part.enqueued;
        if (part.enqueued > 0 && i + slice < page.records.length) ctx.onEnqueued();
      }
      newest = newestOf(newest, page.records.map((r) => r.updatedAt));
      await hooks.afterPage(page, newest);
      summary.pages += 1;
      totals.seen += counts.seen;
      totals.changed += counts.changed;
      totals.enqueued += counts.enqueued;
      ctx.progress.page({ job, vendor: source.vendor, connectionId: source.connectionId, page: summary.pages, counts, totals: { ...totals }, position: newest, since });
      if (counts.enqueued > 0) ctx.onEnqueued();
    }
    ctx.progress.finished(job, source.vendor, source.connectionId);
  } catch (err) {
    summary.error = errorText(ctx.signal.aborted && ctx.signal.reason instanceof Error ? ctx.signal.reason : err);
    ctx.logger.error(`${job} of ${source.vendor}/${source.connectionId} stopped`, { vendor: source.vendor, connection: source.connectionId, error: summary.error, pages: summary.pages });
  } finally {
    await pages.return(undefined).catch(() => undefined);
  }
  return { ...summary, seen: totals.seen, changed: totals.changed, enqueued: totals.enqueued };
}
