import { setTimeout as sleep } from 'node:timers/promises';
import {
  backfillCursorName,
  backfillStart,
  formatBackfillCursor,
  isoSeconds,
  newestOf,
  parseBackfillCursor,
  type BackfillCursor,
} from './decide';
import { sourcesFor, type ChangeSource, type SourceStart } from './sources';
import type { BackfillRequest, ConnectionSummary, JobContext, JobOutput } from './types';
import { walk } from './walk';

/** How often a held-back backfill looks at the inbox again. */
export const BACKFILL_WAIT_MS = 1000;
/** Records queued between two looks at the inbox. */
export const BACKFILL_SLICE = 100;

/**
 * M6 backfill: walks a connection's history from `since`, page by page, into the inbox. The
 * cursor is saved after each page's events are queued, so a kill -9 resumes at the last page
 * saved and queues at most that one page again (the dedupe keys make it harmless). It keeps at
 * most jobs.backfillMaxPending of its events waiting (shared between the connections it walks),
 * asking for no more pages until there is room: live events (claimed before backfill ones) go
 * first, and memory stays flat.
 */
export async function backfill(ctx: JobContext, request: BackfillRequest): Promise<JobOutput> {
  const { sources, skipped } = sourcesFor(ctx.loaded, ctx.clients, request, ctx.logger);
  const notes = skipped.map((s) => `skipped ${s}`);
  // Connections walked together share the room: the worker claims in arrival order, so one
  // connection's backlog must not stand in front of another's.
  const share = Math.max(1, Math.floor(ctx.loaded.config.jobs.backfillMaxPending / Math.max(1, sources.length)));
  const room: Room = { max: ctx.loaded.config.jobs.backfillMaxPending, share, slice: Math.min(BACKFILL_SLICE, share) };
  const connections = await Promise.all(sources.map((s) => backfillSource(ctx, s, request, notes, room)));
  return { connections, notes };
}

/** At most `max` backfill events waiting in all, `share` of them of one connection, added `slice` at a time. */
interface Room {
  max: number;
  share: number;
  slice: number;
}

/** This connection's events still waiting, counted up to `atMost + 1`. */
async function pendingOf(ctx: JobContext, source: ChangeSource, atMost: number): Promise<number> {
  return (await ctx.store.listEvents({ vendor: source.vendor, connectionId: source.connectionId, status: 'pending', limit: atMost + 1 })).length;
}

async function waitForRoom(ctx: JobContext, source: ChangeSource, room: Room): Promise<void> {
  for (;;) {
    const pending = await ctx.store.countPending('backfill');
    if (pending + room.slice <= room.max && (await pendingOf(ctx, source, room.share)) + room.slice <= room.share) return;
    ctx.progress.waiting('backfill', source.vendor, source.connectionId, pending, room.max);
    await sleep(BACKFILL_WAIT_MS, undefined, { signal: ctx.signal });
  }
}

async function backfillSource(ctx: JobContext, source: ChangeSource, request: BackfillRequest, notes: string[], room: Room): Promise<ConnectionSummary> {
  const label = `${source.vendor}/${source.connectionId}`;
  const name = backfillCursorName(source.vendor, source.connectionId);
  const saved = request.restart ? null : parseBackfillCursor(await ctx.store.getCursor(name));
  let state: BackfillCursor;
  let start: SourceStart;
  if (saved) {
    state = { ...saved, complete: false };
    start = backfillStart(saved);
    notes.push(`${label}: resumed from its cursor (${saved.complete ? 'completed' : 'stopped'} at ${saved.position ?? saved.since})`);
    if (request.since && request.since.getTime() !== Date.parse(saved.since)) {
      notes.push(`${label}: --since ignored, the saved backfill began at ${saved.since} (--restart starts again from --since)`);
    }
  } else if (request.since) {
    state = { since: isoSeconds(request.since), position: null, after: null, complete: false };
    start = { since: request.since };
  } else {
    return {
      vendor: source.vendor,
      connectionId: source.connectionId,
      pages: 0,
      seen: 0,
      changed: 0,
      enqueued: 0,
      error: `no backfill of ${label} to resume: give --since <date> for the first run`,
    };
  }
  const summary = await walk(ctx, 'backfill', 'backfill', source, start, new Date(Date.parse(state.since)), {
    beforePage: () => waitForRoom(ctx, source, room),
    sliceSize: room.slice,
    afterPage: async (page, newest) => {
      state = {
        ...state,
        position: newestOf(state.position, newest ? [newest] : []),
        after: source.cursorBased ? (page.after ?? state.after) : null,
      };
      await ctx.store.setCursor(name, formatBackfillCursor(state), ctx.now());
    },
  });
  if (summary.error === null) await ctx.store.setCursor(name, formatBackfillCursor({ ...state, complete: true }), ctx.now());
  return summary;
}
