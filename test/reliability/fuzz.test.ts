/**
 * Property-based fuzz test of the webhook door (POST /webhooks/freshdesk, /zendesk, /jira),
 * driven over HTTP on 127.0.0.1 against the real express app and a SQLite file store.
 *
 * Over 10,000 generated requests: random bytes, truncated real bodies, bodies nested up to
 * 20,000 levels, strings up to and past the body limit, wrong content types and encodings,
 * missing, wrong and replayed signatures, validly signed realistic bodies with fields of wrong
 * types and ids out of range, unicode and `__proto__` / `constructor` / `prototype` keys.
 *
 * Every answer must be 2xx with the event durable (exactly one inbox row, the body as sent), a
 * 4xx with a JSON `{error}` saying what is wrong and nothing stored, or 503 only while the store
 * cannot write; within 2 s; leaking no secret in answers or log lines; polluting no prototype.
 *
 *   FUZZ_SEED=<n>   replay another seed (the default is fixed, so CI is repeatable)
 *   FUZZ_SCALE=<x>  multiply every property's number of runs (e.g. 10 for a long local run)
 *   FUZZ_SHRINK=1   shrink a failure to a minimal request (slower; off by default)
 *   FUZZ_STORE=sqlite-thread|postgres  run against the threaded SQLite store or PostgreSQL
 *                   (TEST_DATABASE_URL) instead of a SQLite file
 */
import fc from 'fast-check';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import type { Store } from '../../src/store/types';
import type { Vendor } from '../../src/domain/ticket';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { leakedSecrets } from '../helpers/secret-forms';
import {
  authArb,
  BASES,
  basesOf,
  contentTypeArb,
  define,
  encodingArb,
  goodAuthArb,
  invalidIdArb,
  mutate,
  mutationArb,
  PROTO_KEYS,
  refusedAuthArb,
  specArb,
  stringArb,
  templateOf,
  validIdArb,
  vendorArb,
  type Base,
  type Mutation,
} from './fuzz-arbitraries';
import { materialize, runSpec, Tally, Target, type FuzzStoreKind, type RunContext } from './fuzz-harness';
import { BODY_LIMIT, expectedOf, MAX_DEPTH, meaningOf, type Spec } from './fuzz-oracle';

const SEED = process.env.FUZZ_SEED !== undefined && process.env.FUZZ_SEED !== '' ? Number(process.env.FUZZ_SEED) : 20250108;
const SCALE = Number(process.env.FUZZ_SCALE ?? '1') || 1;
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));
const STORE_KIND = (process.env.FUZZ_STORE || 'sqlite') as FuzzStoreKind;
jest.setTimeout(300_000);

let target: Target;
let ctx: RunContext;
const tally = new Tally();
const accepted = new Map<number, Vendor>();
let nonce = 0;
let storeWrites = true;
const started = Date.now();
const problems: string[] = [];
const onRejection = (reason: unknown) => problems.push(`unhandled rejection: ${String(reason)}`);
const onException = (err: Error) => problems.push(`uncaught exception: ${err.message}`);
const prototypeKeysBefore = Object.getOwnPropertyNames(Object.prototype).sort();
const arrayKeysBefore = Object.getOwnPropertyNames(Array.prototype).sort();

beforeAll(async () => {
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  target = await Target.start({ kind: STORE_KIND });
  ctx = { target, tally, storeWrites: () => storeWrites, accepted, nextNonce: () => ++nonce };
});

afterAll(async () => {
  process.off('unhandledRejection', onRejection);
  process.off('uncaughtException', onException);
  await target?.stop({ dispose: true });
  const summary = tally.summary(SEED, Date.now() - started);
  // For BENCHMARKS.md: how many requests, their statuses, and that none was a 5xx with a healthy store.
  console.log(`webhook fuzz totals (${STORE_KIND} store) ${JSON.stringify(summary, null, 2)}`);
});

let property = 0;
/** Runs a property with the file's seed (offset per property, so each explores its own cases). */
async function check(arb: fc.Arbitrary<Spec>, numRuns: number): Promise<void> {
  property += 1;
  const seed = SEED + property;
  try {
    await fc.assert(
      fc.asyncProperty(arb, (spec) => runSpec(spec, ctx)),
      { seed, numRuns: runs(numRuns), endOnFailure: process.env.FUZZ_SHRINK !== '1' },
    );
  } catch (err) {
    console.error(`webhook fuzz failed: property ${property} ran with seed ${seed} (FUZZ_SEED=${SEED}); rerun with FUZZ_SEED=${SEED}, FUZZ_SHRINK=1 to shrink`);
    throw err;
  }
}

/** A realistic body's generator: the base body with some mutations applied, its meaning by the oracle. */
function realisticArb(
  gen: string,
  bases: readonly Base[],
  options: { protect?: boolean; mutations?: fc.Arbitrary<Mutation>; maxMutations?: number; auth?: 'good' | 'refused' } = {},
): fc.Arbitrary<Spec> {
  return fc
    .record({
      base: fc.constantFrom(...bases),
      mutations: fc.array(options.mutations ?? mutationArb(), { maxLength: options.maxMutations ?? 5 }),
    })
    .chain(({ base, mutations }) => {
      const value = mutate(base.value, mutations, options.protect === false ? [] : base.protectedPaths);
      const text = templateOf(base.vendor, value);
      const auth = options.auth === 'refused' ? refusedAuthArb(base.vendor) : goodAuthArb(base.vendor);
      return specArb({ gen, vendor: base.vendor, body: { kind: 'text', text }, auth, intent: options.protect === false ? undefined : meaningOf(base.vendor, base.value) });
    });
}

/** Where a ticket or issue id lives in each shape, and how to put one there. */
function placeId(base: Base, id: unknown, where: number): { value: unknown; field: RegExp } {
  const v = JSON.parse(JSON.stringify(base.value)) as Record<string, unknown>;
  const obj = (o: unknown) => o as Record<string, unknown>;
  switch (base.shape) {
    case 'fd-flat':
      define(v, 'ticket_id', id);
      return { value: v, field: /ticket_id/ };
    case 'fd-wrapper':
      define(obj(v.freshdesk_webhook), 'ticket_id', id);
      return { value: v, field: /ticket_id/ };
    case 'zd-event': {
      // Both places wrong, or the subject alone when detail.id is gone.
      const idText = typeof id === 'string' ? id : JSON.stringify(id);
      define(v, 'subject', where % 3 === 0 ? id : `zen:ticket:${idText}`);
      if (where % 2 === 0) define(obj(v.detail), 'id', id);
      else delete obj(v.detail).id;
      return { value: v, field: /ticket id/ };
    }
    case 'zd-trigger':
      if (where % 2 === 0 || v.ticket_id === undefined) {
        delete v.ticket_id;
        define(v, 'ticket', { ...(typeof v.ticket === 'object' && v.ticket ? obj(v.ticket) : {}), id });
        return { value: v, field: /ticket\.id/ };
      }
      define(v, 'ticket_id', id);
      return { value: v, field: /ticket_id/ };
    case 'jira-issue':
      define(obj(v.issue), 'id', id);
      return { value: v, field: /issue\.id/ };
    case 'jira-comment':
      define(obj(v.comment), 'self', `https://acme.atlassian.net/rest/api/2/issue/${typeof id === 'string' ? id : JSON.stringify(id)}/comment/10086`);
      return { value: v, field: /comment\.self/ };
    case 'zd-other':
      return { value: v, field: /./ };
  }
}

const idShapes: Array<Base['shape']> = ['fd-flat', 'fd-wrapper', 'zd-event', 'zd-trigger', 'jira-issue', 'jira-comment'];
const idBases = BASES.filter((b) => idShapes.includes(b.shape));

describe('webhook door under generated requests (fast-check)', () => {
  it('stores every validly signed realistic body once, whatever unicode, prototype keys or wrong-typed extra fields it carries', async () => {
    await check(realisticArb('realistic', BASES), 1800);
  });

  it('stores a valid id in any spelling under its canonical entity key', async () => {
    const arb = fc
      .record({ base: fc.constantFrom(...idBases), id: validIdArb, where: fc.nat() })
      .chain(({ base, id, where }) => {
        const { value } = placeId(base, id.raw, where);
        const meaning = meaningOf(base.vendor, value);
        return specArb({ gen: 'valid-ids', vendor: base.vendor, body: { kind: 'text', text: templateOf(base.vendor, value) }, auth: goodAuthArb(base.vendor), intent: meaning });
      });
    await check(arb, 600);
  });

  it('answers 422 naming the field for ids of the wrong type or out of range (object, array, boolean, null, negative, float, 20 digits, 25-digit string)', async () => {
    const arb = fc
      .record({ base: fc.constantFrom(...idBases), id: invalidIdArb, where: fc.nat() })
      .chain(({ base, id, where }) => {
        const { value, field } = placeId(base, id, where);
        const text = templateOf(base.vendor, value);
        // The oracle decides what the body means (a Zendesk trigger's `ticket_id: null` falls back
        // to ticket.id, a comment link without digits is not about an issue, ...); a 422 must
        // name the field this generator broke.
        const meaning = meaningOf(base.vendor, JSON.parse(text));
        return specArb({
          gen: 'wrong-ids',
          vendor: base.vendor,
          body: { kind: 'text', text },
          auth: goodAuthArb(base.vendor),
          intent: meaning.semantic === 'invalid' ? { ...meaning, errorMentions: field } : meaning,
        });
      });
    await check(arb, 1300);
  });

  it('answers for any mutation of any field (the meaning is the oracle\'s), never 5xx', async () => {
    await check(realisticArb('mutated-anything', BASES, { protect: false, maxMutations: 6 }), 1300);
  });

  it('keeps __proto__, constructor and prototype keys at every level as plain data', async () => {
    const protoMutation = mutationArb(fc.constantFrom(...PROTO_KEYS), fc.oneof(stringArb, fc.jsonValue({ maxDepth: 2 }), fc.constantFrom<unknown>({ polluted: 'yes' }, { prototype: { polluted: 'yes' } }, null, [])));
    await check(realisticArb('prototype-keys', BASES, { mutations: protoMutation, maxMutations: 8 }), 500);
  });

  it('refuses missing, wrong, stale and replayed-from-another-body signatures with 401, storing nothing', async () => {
    await check(realisticArb('bad-signatures', BASES, { auth: 'refused', maxMutations: 1 }), 1000);
  });

  it('answers random bytes with 4xx', async () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 2048 }),
      fc.string({ unit: 'binary', maxLength: 512 }).map((s) => Buffer.from(s, 'utf8')),
      fc.tuple(fc.constantFrom('{', '[', '{"ticket_id":', '{"webhookEvent":"jira:issue_updated","issue":', '\ufeff{', '"'), fc.uint8Array({ maxLength: 256 })).map(
        ([head, tail]) => Buffer.concat([Buffer.from(head), tail]),
      ),
    );
    const arb = fc.record({ vendor: vendorArb, bytes }).chain(({ vendor, bytes: b }) =>
      specArb({ gen: 'random-bytes', vendor, body: { kind: 'bytes', bytes: b }, auth: authArb(vendor, 4), replay: fc.constant(false) }),
    );
    await check(arb, 1100);
  });

  it('answers real bodies cut at any byte with 400 (or as whatever the cut left)', async () => {
    const arb = fc.record({ base: fc.constantFrom(...BASES), cut: fc.double({ min: 0, max: 1, noNaN: true }) }).chain(({ base, cut }) => {
      const whole = Buffer.from(base.text, 'utf8');
      const bytes = whole.subarray(0, Math.floor(cut * whole.length));
      return specArb({ gen: 'truncated', vendor: base.vendor, body: { kind: 'bytes', bytes }, auth: authArb(base.vendor, 6), replay: fc.constant(false) });
    });
    await check(arb, 1000);
  });

  it('refuses bodies nested past server.maxJsonDepth with 413 and takes those within it (depth 1..20,000)', async () => {
    const depth = fc.oneof(
      { weight: 2, arbitrary: fc.integer({ min: 1, max: MAX_DEPTH + 5 }) },
      { weight: 2, arbitrary: fc.integer({ min: MAX_DEPTH - 4, max: MAX_DEPTH + 4 }) },
      { weight: 3, arbitrary: fc.integer({ min: 1, max: 20_000 }) },
    );
    const arb = fc
      .record({ base: fc.constantFrom(...idBases), depth, pattern: fc.constantFrom('array', 'object', 'mixed'), whole: fc.boolean() })
      .chain(({ base, depth: levels, pattern, whole }) => {
        const open = (i: number) => (pattern === 'array' || (pattern === 'mixed' && i % 2 === 0) ? '[' : '{"a":');
        const close = (i: number) => (pattern === 'array' || (pattern === 'mixed' && i % 2 === 0) ? ']' : '}');
        let opening = '';
        let closing = '';
        for (let i = 0; i < levels; i += 1) opening += open(i);
        for (let i = levels - 1; i >= 0; i -= 1) closing += close(i);
        const nest = `${opening}1${closing}`;
        const text = whole ? nest : templateOf(base.vendor, { ...(base.value as object), fuzz_nested: '@@NEST@@' }).replace('"@@NEST@@"', nest);
        return specArb({ gen: 'deep-nesting', vendor: base.vendor, body: { kind: 'text', text }, auth: authArb(base.vendor, 9), replay: fc.boolean() });
      });
    await check(arb, 500);
  });

  it('takes strings up to the body limit and refuses bodies past it with 413 (huge values, huge keys, huge ids)', async () => {
    const unit = fc.constantFrom('x', 'é', '😀', '\\u0000', '\\ud800', '\\"', 'שׁ');
    const length = fc.oneof(
      fc.integer({ min: 0, max: 4096 }),
      fc.integer({ min: 100_000, max: 1_100_000 }),
      fc.integer({ min: BODY_LIMIT - 600, max: BODY_LIMIT + 100 }),
    );
    const arb = fc
      .record({ base: fc.constantFrom(...idBases), unit, length, where: fc.constantFrom('value', 'key', 'id', 'event') })
      .chain(({ base, unit: u, length: n, where }) => {
        // JSON text units: an escape is one character of the string, several bytes of the body.
        const bytesPer = Buffer.byteLength(u);
        const huge = u.repeat(Math.max(0, Math.floor(n / bytesPer)));
        let text: string;
        if (where === 'id') {
          const { value } = placeId(base, '@@HUGE@@', 0);
          text = templateOf(base.vendor, value).replace('@@HUGE@@', huge);
        } else if (where === 'event') {
          const v = JSON.parse(JSON.stringify(base.value)) as Record<string, unknown>;
          define(v, base.vendor === 'jira' ? 'webhookEvent' : 'event', '@@HUGE@@');
          text = templateOf(base.vendor, v).replace('@@HUGE@@', huge);
        } else {
          const marker = where === 'key' ? { '@@HUGE@@': 1 } : { fuzz_padding: '@@HUGE@@' };
          text = templateOf(base.vendor, { ...(base.value as object), ...marker }).replace('@@HUGE@@', huge);
        }
        return specArb({ gen: 'huge-strings', vendor: base.vendor, body: { kind: 'text', text }, auth: authArb(base.vendor, 9), replay: fc.constant(false) });
      });
    await check(arb, 120);
  });

  it('answers wrong content types with 415 and any content encoding or framing without a 5xx', async () => {
    // Sometimes 2 MB of trailing blanks (still JSON): over the limit as sent, or a small gzip
    // that inflates past it (a compression bomb); either way a 413.
    const arb = fc.record({ base: fc.constantFrom(...idBases), pad: fc.constantFrom(0, 0, 0, 0, 0, 2_000_000) }).chain(({ base, pad }) =>
      specArb({
        gen: 'content-types',
        vendor: base.vendor,
        body: { kind: 'text', text: templateOf(base.vendor, base.value) + ' '.repeat(pad) },
        auth: authArb(base.vendor, 8),
        contentType: contentTypeArb,
        encoding: encodingArb,
        intent: meaningOf(base.vendor, base.value),
      }),
    );
    await check(arb, 800);
  });

  it('answers 503 only while the store cannot write, and takes the redelivery once it can', async () => {
    const arb = fc
      .record({ base: fc.constantFrom(...idBases), mutations: fc.array(mutationArb(), { maxLength: 2 }), auth: fc.boolean() })
      .chain(({ base, mutations, auth }) => {
        const value = mutate(base.value, mutations, base.protectedPaths);
        return specArb({
          gen: 'store-down',
          vendor: base.vendor,
          body: { kind: 'text', text: templateOf(base.vendor, value) },
          auth: auth ? goodAuthArb(base.vendor) : authArb(base.vendor, 1),
          intent: meaningOf(base.vendor, base.value),
          replay: fc.constant(false),
        });
      });
    const failing = new StoreFailures(target.store);
    const door = await Target.start({ store: failing.store, dbFile: target.dbFile });
    try {
      await fc.assert(
        fc.asyncProperty(arb, async (spec) => {
          // Down: the event is refused with 503 (nothing stored) and the rest answered as ever.
          failing.down = true;
          storeWrites = false;
          const wire = materialize(spec, ++nonce);
          const before = await door.inboxTotal();
          const first = await door.send(wire.wire);
          tally.generated += 1;
          tally.count(spec.gen, first, false);
          const { statuses } = expectedOf(spec, wire.decoded, false);
          expect(statuses).toContain(first.status);
          if (first.status >= 400) expect(JSON.parse(first.text)).toEqual({ error: expect.stringMatching(/\S/) });
          if (first.status === 503) expect(JSON.parse(first.text)).toEqual({ error: 'could not store the event right now; it will be accepted on redelivery' });
          expect(await door.inboxTotal()).toBe(before);
          // Up again: the vendor's redelivery of the very same request is stored.
          failing.down = false;
          storeWrites = true;
          const again = await door.send(wire.wire);
          tally.count(spec.gen, again, true);
          if (first.status === 503) {
            expect(again.status).toBe(202);
            const { eventId } = JSON.parse(again.text) as { eventId: number };
            accepted.set(eventId, spec.vendor);
            tally.accepted += 1;
            expect(await door.inboxTotal()).toBe(before + 1);
          } else {
            expect(again.status).toBe(first.status);
          }
          expect(leakedSecrets(first.text + again.text + JSON.stringify(first.headers))).toEqual([]);
        }),
        { seed: SEED + 100, numRuns: runs(250), endOnFailure: process.env.FUZZ_SHRINK !== '1' },
      );
      // A store that is really gone (closed) refuses in the same words.
      const closedDir = mkdtempSync(path.join(tmpdir(), 'hs-fuzz-closed-'));
      const closed = new SqliteStore(path.join(closedDir, 'closed.db'));
      await closed.close();
      const gone = await Target.start({ store: closed });
      const base = basesOf('jira', ['jira-issue'])[0] as Base;
      for (let i = 0; i < 20; i += 1) {
        const spec = fc.sample(specArb({ gen: 'store-closed', vendor: 'jira', body: { kind: 'text', text: templateOf('jira', base.value) }, auth: goodAuthArb('jira') }), { seed: SEED + i, numRuns: 1 })[0];
        const answer = await gone.send(materialize(spec as Spec, ++nonce).wire);
        tally.generated += 1;
        tally.count('store-closed', answer, false);
        expect(answer.status).toBe(503);
        expect(JSON.parse(answer.text)).toEqual({ error: 'could not store the event right now; it will be accepted on redelivery' });
      }
      await gone.stop({ dispose: true });
      rmSync(closedDir, { recursive: true, force: true });
      // The failing phase logged its errors; none of its lines may leak a secret either.
      for (const line of [...door.logLines, ...gone.logLines]) expect(leakedSecrets(line)).toEqual([]);
    } finally {
      failing.down = false;
      storeWrites = true;
      await door.stop({ dispose: true });
    }
  });
});

describe('after the fuzz', () => {
  it('the server still answers /healthz and /readyz', async () => {
    expect((await target.get('/healthz')).status).toBe(200);
    const ready = await target.get('/readyz');
    expect(ready.status).toBe(200);
  });

  it('polluted no prototype', () => {
    const probe: Record<string, unknown> = {};
    expect(probe.polluted).toBeUndefined();
    expect(probe.isAdmin).toBeUndefined();
    expect(Object.getPrototypeOf(probe)).toBe(Object.prototype);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeysBefore);
    expect(Object.getOwnPropertyNames(Array.prototype).sort()).toEqual(arrayKeysBefore);
    expect(typeof ({}).toString).toBe('function');
    expect(String({})).toBe('[object Object]');
  });

  it('the inbox holds exactly the events answered 202, each once, nothing half-stored', async () => {
    const events = await target.store.listEvents({ limit: 1_000_000 });
    const ids = events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort((a, b) => a - b)).toEqual([...accepted.keys()].sort((a, b) => a - b));
    for (const e of events) {
      expect(e.vendor).toBe(accepted.get(e.id));
      expect(e.entityKey).toMatch(/^(ticket|issue):[1-9]\d{0,15}$/);
      expect(Number.isSafeInteger(Number(e.entityKey.split(':')[1]))).toBe(true);
    }
    // Every dedupe key once: no delivery was stored twice.
    const keys = events.map((e) => `${e.vendor}|${e.dedupeKey}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(events.length).toBeGreaterThan(runs(2000));
  });

  it('no log line (debug level) leaks a secret, and a healthy store logged no error', () => {
    expect(target.logLines.length).toBeGreaterThan(runs(1000));
    const leaking = target.logLines.filter((l) => leakedSecrets(l).length > 0);
    expect(leaking.slice(0, 3)).toEqual([]);
    const errors = target.logLines.filter((l) => (JSON.parse(l) as { level: string }).level === 'error');
    expect(errors.slice(0, 3)).toEqual([]);
  });

  it('nothing crashed, and over 10,000 generated requests were sent (replays and redeliveries besides)', () => {
    expect(problems).toEqual([]);
    expect(tally.fiveXxHealthy).toBe(0);
    expect(tally.generated).toBeGreaterThanOrEqual(runs(10_000));
    expect(tally.requests).toBeGreaterThan(tally.generated);
  });
});

// ---------------------------------------------------------------------------------------------

/** A store whose writes fail while `down` (disk full, locked): everything else is the real store. */
class StoreFailures {
  down = false;
  readonly store: Store;
  constructor(real: Store) {
    this.store = new Proxy(real, {
      get: (t, p, r) => {
        if (p === 'enqueue' && this.down) return async () => Promise.reject(new Error('SQLITE_FULL: database or disk is full'));
        const v = Reflect.get(t, p, r) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
      },
    });
  }
}

