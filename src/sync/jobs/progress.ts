import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import type { Vendor } from '../../domain/ticket';
import type { PageCounts } from './enqueue-page';
import type { JobName } from './types';

/** One page of a walk, as a job reports it. */
export interface PageReport {
  job: JobName;
  vendor: Vendor;
  connectionId: string;
  /** 1 for the first page of this connection in this run. */
  page: number;
  counts: PageCounts;
  /** This connection's counts so far in this run. */
  totals: PageCounts;
  /** The newest change reached so far, and where the walk started: how much history is walked. */
  position: string | null;
  since: Date | null;
}

/** Where a running job tells how far it is: a terminal bar, plain lines, or nothing (the server). */
export interface JobProgress {
  page(report: PageReport): void;
  /** Backfill holds back while the inbox has this many of its events waiting. */
  waiting(job: JobName, vendor: Vendor, connectionId: string, pending: number, max: number): void;
  /** The connection's walk reached the end of the changes. */
  finished(job: JobName, vendor: Vendor, connectionId: string): void;
  stop(): void;
}

export const silentProgress: JobProgress = { page: () => undefined, waiting: () => undefined, finished: () => undefined, stop: () => undefined };

/** Share (0..1) of the time from `since` to now that the walk has covered. */
export function historyShare(position: string | null, since: Date | null, now: Date): number | null {
  if (!position || !since) return null;
  const span = now.getTime() - since.getTime();
  if (span <= 0) return 1;
  const done = Date.parse(position) - since.getTime();
  if (Number.isNaN(done)) return null;
  return Math.min(1, Math.max(0, done / span));
}

/** One plain line per page, for logs and pipes: `backfill zendesk/default page 3: ...`. */
export function pageLine(r: PageReport): string {
  if (r.job === 'reconcile') {
    return `reconcile ${r.vendor}/${r.connectionId} page ${r.page}: ${r.counts.seen} linked pairs, ${r.counts.enqueued} queued (so far ${r.totals.enqueued})`;
  }
  const what = r.vendor === 'jira' ? 'issues' : 'tickets';
  const upTo = r.position ? `, up to ${r.position}` : '';
  return (
    `${r.job} ${r.vendor}/${r.connectionId} page ${r.page}: ${r.counts.seen} ${what}, ${r.counts.changed} changed, ${r.counts.enqueued} enqueued` +
    ` (so far ${r.totals.seen} seen, ${r.totals.enqueued} enqueued${upTo})`
  );
}

interface ProgressStream extends NodeJS.WritableStream {
  isTTY?: boolean;
}

/**
 * A bar per connection on a terminal (cli-progress), measuring the history walked from the
 * start instant to now: none of the three vendors says how many records a walk will meet.
 * Anywhere else, a plain line per page.
 */
export function createProgress(stream: ProgressStream, options: { tty?: boolean; now?: () => Date } = {}): JobProgress {
  const now = options.now ?? (() => new Date());
  const tty = options.tty ?? stream.isTTY === true;
  if (!tty) {
    let lastWait = 0;
    return {
      page: (r) => void stream.write(`${pageLine(r)}\n`),
      waiting: (job, vendor, connectionId, pending, max) => {
        // A waiting backfill checks every second; one line every ten is enough for a log.
        if (Date.now() - lastWait < 10_000) return;
        lastWait = Date.now();
        stream.write(`${job} ${vendor}/${connectionId}: waiting, ${pending} of its events queued (more than ${max}); live events go first\n`);
      },
      finished: () => undefined,
      stop: () => undefined,
    };
  }
  const multi = new MultiBar(
    {
      stream,
      format: '{label} {bar} {percentage}% p.{page} seen {seen} queued {enqueued} {state}',
      hideCursor: true,
      clearOnComplete: false,
      autopadding: true,
      barsize: 20,
    },
    Presets.shades_classic,
  );
  const bars = new Map<string, SingleBar>();
  const barOf = (job: JobName, vendor: Vendor, connectionId: string): SingleBar => {
    const key = `${vendor}/${connectionId}`;
    let bar = bars.get(key);
    if (!bar) {
      bar = multi.create(1000, 0, { label: `${job} ${key}`.padEnd(24), page: 0, seen: 0, enqueued: 0, state: '' });
      bars.set(key, bar);
    }
    return bar;
  };
  return {
    page(r) {
      const bar = barOf(r.job, r.vendor, r.connectionId);
      const share = historyShare(r.position, r.since, now());
      const payload = { page: r.page, seen: r.totals.seen, enqueued: r.totals.enqueued, state: '' };
      if (share === null) bar.update(payload);
      else bar.update(Math.round(share * 1000), payload);
    },
    waiting(job, vendor, connectionId, pending) {
      barOf(job, vendor, connectionId).update({ state: `(waiting: ${pending} queued)` });
    },
    finished(job, vendor, connectionId) {
      // The walk reached the present: what it covered is all there was.
      barOf(job, vendor, connectionId).update(1000, { state: '' });
    },
    stop() {
      multi.stop();
    },
  };
}
