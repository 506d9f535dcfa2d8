import request from 'supertest';
import { createApp } from '../../src/http/app';
import { createLogger } from '../../src/logging/logger';
import type { Store } from '../../src/store/types';
import { memoryStore, testConfig } from '../helpers/app';
import { at } from '../mirror/fixtures';
import { decisionOf, issue, STATUS, ticket, trail } from './fixtures';
import { seedPair } from './seed';

/** A1 over HTTP: the token rules, each route's answer, the CSV, and clear 4xx for bad queries. */
const TOKEN = 'audit-token-9f3Kd81LmQ';
const NOW = new Date(at(120));
const logger = createLogger({ level: 'silent' });

async function seeded(): Promise<Store> {
  const store = memoryStore();
  const maria = ticket({ id: '7741', status: 'resolved', vendorStatus: 'solved' });
  await seedPair(store, {
    ticket: maria,
    issue: issue({ status: STATUS.wip, priority: 'High' }),
    linkedAt: new Date(at(0)),
    handoffs: trail(maria, at(5), at(15)),
    decisions: [decisionOf(maria, 'H3', 'violation', at(20), 'Tier 2 agent Li Wei replied publicly to the requester', [{ kind: 'privateNote', idempotencyKey: 'H3:k', html: '<p>..</p>' }]), decisionOf(maria, 'E5', 'violation', at(30), 'knowledge gap: resolved without outcome, root cause')],
  });
  // A subject a spreadsheet would run as a formula.
  const formula = ticket({ id: '7750', subject: '=HYPERLINK("http://evil.example","click")', priority: 'high' });
  await seedPair(store, { ticket: formula, issue: issue({ id: '10050', key: 'SUP-21', priority: 'High' }), linkedAt: new Date(at(1)), missing: ['steps'] });
  const fine = ticket({ id: '7760', subject: 'Export of the monthly report is slow', priority: 'high' });
  await seedPair(store, { ticket: fine, issue: issue({ id: '10060', key: 'SUP-22', priority: 'High' }), linkedAt: new Date(at(2)) });
  return store;
}

function app(store: Store, options: { token?: string | null } = {}) {
  const token = options.token === null ? undefined : (options.token ?? TOKEN);
  return createApp({ loaded: testConfig(), store, logger, now: () => NOW, auditToken: token });
}

const auth = { Authorization: `Bearer ${TOKEN}` };

describe('audit routes: the token', () => {
  let store: Store;
  beforeAll(async () => {
    store = await seeded();
  });
  afterAll(() => store.close());

  it('answers 503 saying how to set one when no token is configured, never open by default', async () => {
    const res = await request(app(store, { token: null })).get('/api/audit/links').set(auth);
    expect(res.status).toBe(503);
    expect(res.body.error).toMatch(/AUDIT_TOKEN/);
  });

  it.each([
    ['no Authorization header', {}, /needs Authorization: Bearer/],
    ['a wrong token', { Authorization: 'Bearer not-the-token' }, /wrong/],
    ['another scheme', { Authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` }, /wrong/],
  ])('answers 401 with a JSON error for %s', async (_what, headers, message) => {
    const res = await request(app(store)).get('/api/audit/links').set(headers as Record<string, string>);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.body.error).toMatch(message);
  });

  it('guards every route, the CSV too', async () => {
    for (const path of ['/api/audit/links.csv', '/api/audit/links/zendesk/default/7741', '/api/audit/knowledge-gaps', '/api/audit/violations', '/api/audit/timeline']) {
      expect((await request(app(store)).get(path)).status).toBe(401);
    }
  });
});

describe('audit routes: the answers', () => {
  let store: Store;
  beforeAll(async () => {
    store = await seeded();
  });
  afterAll(() => store.close());

  it('lists every pair with a cursor, page by page, without repeats', async () => {
    const first = await request(app(store)).get('/api/audit/links?limit=2').set(auth);
    expect(first.status).toBe(200);
    expect(first.headers['cache-control']).toBe('no-store');
    expect(first.body.items.map((p: { ticket: { id: string } }) => p.ticket.id)).toEqual(['7741', '7750']);
    expect(first.body.next).toEqual(expect.any(String));
    const second = await request(app(store)).get(`/api/audit/links?limit=2&cursor=${encodeURIComponent(first.body.next)}`).set(auth);
    expect(second.body.items.map((p: { ticket: { id: string } }) => p.ticket.id)).toEqual(['7760']);
    expect(second.body.next).toBeNull();
  });

  it('narrows to pairs with problems, and to a rule', async () => {
    const problems = await request(app(store)).get('/api/audit/links?problems=1').set(auth);
    expect(problems.body.items.map((p: { ticket: { id: string } }) => p.ticket.id)).toEqual(['7741', '7750']);
    const h3 = await request(app(store)).get('/api/audit/links?rule=h3').set(auth);
    expect(h3.body.items.map((p: { ticket: { id: string } }) => p.ticket.id)).toEqual(['7741']);
    const resolved = await request(app(store)).get('/api/audit/links?status=resolved&vendor=zendesk').set(auth);
    expect(resolved.body.items).toHaveLength(1);
  });

  it('answers 400 naming the parameter for a bad query', async () => {
    const cases: Array<[string, RegExp]> = [
      ['status=done', /status/],
      ['vendor=jira', /vendor/],
      ['from=yesterday', /from: expected a date/],
      ['limit=0', /limit/],
      ['rule=drop%20table', /rule: expected a rule id/],
      ['cursor=bm9wZQ', /cursor/],
      ['colour=red', /unknown query parameter\(s\) colour/],
    ];
    for (const [query, message] of cases) {
      const res = await request(app(store)).get(`/api/audit/links?${query}`).set(auth);
      expect([query, res.status]).toEqual([query, 400]);
      expect(res.body.error).toMatch(message);
    }
  });

  it('gives one pair with its whole trail, and 404 for a ticket with no issue', async () => {
    const res = await request(app(store)).get('/api/audit/links/zendesk/default/7741').set(auth);
    expect(res.status).toBe(200);
    expect(res.body.issue.key).toBe('SUP-20');
    expect(res.body.trail.roundTrips).toBe(1);
    expect(res.body.timeline.map((e: { kind: string }) => e.kind)).toEqual(['raised', 'handoff', 'handoff', 'decision', 'decision']);
    expect(res.body.problems.map((p: { code: string; ruleId: string }) => `${p.ruleId} ${p.code}`)).toEqual(['M6 drift', 'H3 violation', 'E5 knowledge_gap']);
    const missing = await request(app(store)).get('/api/audit/links/zendesk/default/9999').set(auth);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatch(/9999/);
  });

  it('lists the knowledge gaps (E5) and the violations, newest first, with what was done', async () => {
    const gaps = await request(app(store)).get('/api/audit/knowledge-gaps').set(auth);
    expect(gaps.body.items).toEqual([expect.objectContaining({ vendor: 'zendesk', ticketId: '7741', issueKey: 'SUP-20', missing: ['outcome', 'rootCause', 'missingDocs'] })]);
    const violations = await request(app(store)).get('/api/audit/violations').set(auth);
    expect(violations.body.items.map((v: { ruleId: string }) => v.ruleId)).toEqual(['E5', 'H3']);
    expect(violations.body.items[1].actions).toEqual(['private note']);
    const onlyH3 = await request(app(store)).get('/api/audit/violations?rule=H3&limit=1').set(auth);
    expect(onlyH3.body).toEqual({ items: [expect.objectContaining({ ruleId: 'H3' })], next: expect.any(String) });
  });

  it('counts escalations, violations and raises per day for the chart', async () => {
    const res = await request(app(store)).get('/api/audit/timeline?from=2024-05-01&to=2024-05-31').set(auth);
    expect(res.status).toBe(200);
    expect(res.body.days).toEqual([{ day: '2024-05-06', escalations: 1, violations: 2, raised: 3 }]);
  });

  it('says the audit is read-only to other methods', async () => {
    const res = await request(app(store)).post('/api/audit/links').set(auth).send({});
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
  });
});

describe('audit routes: the CSV', () => {
  it('has a header row, one row per pair, and no cell a spreadsheet would run as a formula', async () => {
    const store = await seeded();
    const res = await request(app(store)).get('/api/audit/links.csv').set(auth);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/attachment; filename="helpdesk-sync-audit-\d{4}-\d{2}-\d{2}\.csv"/);
    const lines = res.text.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^vendor,connection,ticket_id,ticket_url,subject,/);
    expect(lines).toHaveLength(4);
    expect(lines[2]).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    for (const line of lines) expect(line.split(',').some((cell) => /^[=+@]/.test(cell))).toBe(false);
    await store.close();
  });
});
