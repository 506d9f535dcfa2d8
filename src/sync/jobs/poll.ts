import { isoSeconds, newestOf, pollCursorName, pollSince } from './decide';
import { sourcesFor, type ChangeSource, type SourceStart } from './sources';
import type { ConnectionSummary, JobContext, JobOutput, JobSelection } from './types';
import { walk } from './walk';

/**
 * M6 poll: what changed on each connection since its cursor, into the inbox beside the
 * webhooks, so a lost webhook is made good within one poll interval. An idle cycle costs one
 * call per connection: the export (Zendesk), the list (Freshdesk) or the search (Jira) comes
 * back empty, or holds only records the snapshots already have.
 */
export async function poll(ctx: JobContext, selection: JobSelection = {}): Promise<JobOutput> {
  const { sources, skipped } = sourcesFor(ctx.loaded, ctx.clients, selection, ctx.logger);
  const connections = await Promise.all(sources.map((s) => pollSource(ctx, s)));
  return { connections, notes: skipped.map((s) => `skipped ${s}`) };
}

async function pollSource(ctx: JobContext, source: ChangeSource): Promise<ConnectionSummary> {
  const name = pollCursorName(source.vendor, source.connectionId);
  const cursor = await ctx.store.getCursor(name);
  const { pollOverlapSeconds, firstPollLookbackMinutes } = ctx.loaded.config.jobs;
  // Zendesk's cursor is exact (and its export already leaves out the last minute); the
  // timestamp cursors of Freshdesk and Jira are read with an overlap.
  const since = source.cursorBased && cursor !== null ? null : pollSince(cursor, ctx.now(), pollOverlapSeconds, firstPollLookbackMinutes);
  const start: SourceStart = since ? { since } : { after: cursor as string };
  let saved = cursor;
  return walk(ctx, 'poll', 'poll', source, start, since, {
    afterPage: async (page, newest) => {
      // Written on every page, changed or not: its time says when the poll last reached the end.
      const value = source.cursorBased ? (page.after ?? saved) : (newestOf(saved, newest ? [newest] : []) ?? isoSeconds(since as Date));
      if (value === null) return;
      saved = value;
      await ctx.store.setCursor(name, value, ctx.now());
    },
  });
}
