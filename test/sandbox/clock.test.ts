import { readAdvance, SandboxClock } from '../../src/sandbox/core/clock';
import { FRESHDESK_AGENTS, ZENDESK_AGENTS, ZENDESK_REQUESTERS } from '../../src/sandbox/seed-people';
import { SANDBOX_WEBHOOK_SECRETS, startSandboxes, type Sandboxes } from '../../src/sandbox/world';
import { verifyZendesk } from '../../src/vendors/zendesk/webhook';
import { basic as jiraAuth, WebhookReceiver as JiraReceiver } from './jira/helpers';
import { basicAuth as zendeskAuth, WebhookReceiver as ZendeskReceiver } from './zendesk/helpers';

const HOUR = 3_600_000;
/** How far a stamp may be from the expected instant: whole-second stamps and the test's own run time. */
const SLACK_MS = 5_000;

describe('SandboxClock', () => {
  it('is real time plus an offset that only grows', () => {
    let real = Date.parse('2026-12-02T10:00:00Z');
    const clock = new SandboxClock(() => new Date(real));
    expect(clock.now().toISOString()).toBe('2026-12-02T10:00:00.000Z');
    clock.advance(2 * HOUR);
    expect(clock.offsetMs).toBe(2 * HOUR);
    expect(clock.now().toISOString()).toBe('2026-12-02T12:00:00.000Z');
    real += 60_000;
    expect(clock.now().toISOString()).toBe('2026-12-02T12:01:00.000Z');
    clock.advance(0);
    expect(clock.offsetMs).toBe(2 * HOUR);
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.advance(Number.NaN)).toThrow(RangeError);
    expect(clock.reading()).toEqual({ now: '2026-12-02T12:01:00.000Z', offsetMs: 2 * HOUR });
  });

  it('reads {"advance": "2h" | "90m" | "1d"} and {"advanceMs": n}, refusing negative and malformed ones', () => {
    expect(readAdvance({ advance: '2h' })).toEqual({ ok: true, ms: 2 * HOUR });
    expect(readAdvance({ advance: '90m' })).toEqual({ ok: true, ms: 90 * 60_000 });
    expect(readAdvance({ advance: '1d' })).toEqual({ ok: true, ms: 24 * HOUR });
    expect(readAdvance({ advance: '1d 4h' })).toEqual({ ok: true, ms: 28 * HOUR });
    expect(readAdvance({ advanceMs: 7_200_000 })).toEqual({ ok: true, ms: 2 * HOUR });
    for (const bad of [{ advance: '-2h' }, { advanceMs: -1 }, { advance: 'soon' }, { advance: '' }, { advance: 2 }, { advanceMs: '2h' }, { advanceMs: 1.5 }, {}, { advance: '1h', advanceMs: 1 }, null, [], 'x']) {
      expect(readAdvance(bad)).toMatchObject({ ok: false, message: expect.any(String) });
    }
    expect(readAdvance({ advance: '-2h' })).toMatchObject({ message: expect.stringContaining('only moves forward') });
  });
});

describe('the shared sandbox clock', () => {
  let boxes: Sandboxes;
  beforeEach(async () => {
    boxes = await startSandboxes({ webhookRetryDelayMs: 5 });
  });
  afterEach(async () => {
    await boxes.close();
  });

  const clockCall = async (url: string, method: 'GET' | 'POST', body?: unknown, contentType = 'application/json') => {
    const res = await fetch(`${url}/_sandbox/clock`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('is one clock for the three sandboxes, exposed as Sandboxes.clock', () => {
    expect(boxes.freshdesk.clock).toBe(boxes.clock);
    expect(boxes.zendesk.clock).toBe(boxes.clock);
    expect(boxes.jira.clock).toBe(boxes.clock);
    expect(boxes.freshdesk.http.clock).toBe(boxes.clock);
  });

  it('GET /_sandbox/clock reads it; POST moves all three forward; nothing needs credentials', async () => {
    const before = await clockCall(boxes.urls.jira, 'GET');
    expect(before.status).toBe(200);
    expect(before.body.offsetMs).toBe(0);
    expect(Math.abs(Date.parse(String(before.body.now)) - Date.now())).toBeLessThan(SLACK_MS);

    const moved = await clockCall(boxes.urls.zendesk, 'POST', { advance: '2h' });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ offsetMs: 2 * HOUR, advancedMs: 2 * HOUR });
    expect((await clockCall(boxes.urls.freshdesk, 'POST', { advanceMs: 30 * 60_000 })).body.offsetMs).toBe(2.5 * HOUR);
    for (const url of Object.values(boxes.urls)) {
      const now = await clockCall(url, 'GET');
      expect(now.body.offsetMs).toBe(2.5 * HOUR);
      expect(Math.abs(Date.parse(String(now.body.now)) - (Date.now() + 2.5 * HOUR))).toBeLessThan(SLACK_MS);
    }
    expect(boxes.clock.offsetMs).toBe(2.5 * HOUR);
    // Controls are not vendor calls.
    expect(boxes.zendesk.http.calls.total()).toBe(0);
  });

  it('refuses to go backwards or to read a malformed request, with a JSON error, and the clock stays put', async () => {
    await clockCall(boxes.urls.jira, 'POST', { advance: '1h' });
    for (const [url, body] of [
      [boxes.urls.zendesk, { advance: '-2h' }],
      [boxes.urls.zendesk, { advanceMs: -7_200_000 }],
      [boxes.urls.freshdesk, { advance: 'two hours' }],
      [boxes.urls.jira, { advance: '1h', advanceMs: 3_600_000 }],
      [boxes.urls.jira, {}],
    ] as const) {
      const res = await clockCall(url, 'POST', body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'invalid_clock_advance', message: expect.any(String), offsetMs: HOUR });
    }
    const plain = await clockCall(boxes.urls.zendesk, 'POST', 'advance=2h', 'text/plain');
    expect(plain.status).toBe(400);
    expect(boxes.clock.offsetMs).toBe(HOUR);
  });

  it("moves every sandbox's stamps: tickets, comments, audits, due dates, Jira issues", async () => {
    boxes.clock.advance(2 * HOUR);
    const expected = Date.now() + 2 * HOUR;
    const near = (iso: string | undefined) => expect(Math.abs(Date.parse(iso ?? '') - expected)).toBeLessThan(SLACK_MS);

    const fd = FRESHDESK_AGENTS.samOrtiz;
    const fdAnswer = await fetch(`${boxes.urls.freshdesk}/api/v2/tickets`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${fd.apiKey}:X`).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'lee.wong@contoso-health.example', subject: 'Urgent: site down', description: '<div>Down.</div>', priority: 4, status: 2 }),
    });
    expect(fdAnswer.status).toBe(201);
    const fdTicket = (await fdAnswer.json()) as Record<string, string>;
    near(fdTicket.created_at);
    near(fdTicket.updated_at);
    // Urgent: first response in 1h, resolution in 4h, from the (advanced) creation time.
    expect(Date.parse(String(fdTicket.fr_due_by)) - Date.parse(String(fdTicket.created_at))).toBe(HOUR);
    expect(Date.parse(String(fdTicket.due_by)) - Date.parse(String(fdTicket.created_at))).toBe(4 * HOUR);

    const dana = ZENDESK_AGENTS.danaFox;
    const zdAnswer = await fetch(`${boxes.urls.zendesk}/api/v2/tickets.json`, {
      method: 'POST',
      headers: { authorization: zendeskAuth(dana.email, dana.apiKey), 'content-type': 'application/json' },
      body: JSON.stringify({ ticket: { subject: 'Meters offline', requester_id: ZENDESK_REQUESTERS.maria.id, priority: 'urgent', comment: { body: 'All of them.' } } }),
    });
    expect(zdAnswer.status).toBe(201);
    const zd = (await zdAnswer.json()) as { ticket: { id: number; created_at: string }; audit: { created_at: string } };
    near(zd.ticket.created_at);
    near(zd.audit.created_at);
    near(boxes.zendesk.comments(zd.ticket.id)[0]?.createdAt);

    const jiraAnswer = await fetch(`${boxes.urls.jira}/rest/api/3/issue`, {
      method: 'POST',
      headers: { authorization: jiraAuth('priya'), 'content-type': 'application/json' },
      body: JSON.stringify({ fields: { project: { key: 'SUP' }, issuetype: { name: 'Bug' }, summary: 'Meters offline' } }),
    });
    expect(jiraAnswer.status).toBe(201);
    const { key } = (await jiraAnswer.json()) as { key: string };
    near(boxes.jira.issue(key)?.created.toISOString());
    near(boxes.jira.issue(key)?.updated.toISOString());
  });

  it('signs Zendesk webhooks with real time, so a delivery after advancing 2h still verifies; the event keeps sandbox time', async () => {
    const receiver = new ZendeskReceiver();
    const url = await receiver.start();
    try {
      boxes.zendesk.setWebhook({ url, secret: SANDBOX_WEBHOOK_SECRETS.zendesk });
      boxes.clock.advance(2 * HOUR);
      const dana = ZENDESK_AGENTS.danaFox;
      const res = await fetch(`${boxes.urls.zendesk}/api/v2/tickets.json`, {
        method: 'POST',
        headers: { authorization: zendeskAuth(dana.email, dana.apiKey), 'content-type': 'application/json' },
        body: JSON.stringify({ ticket: { subject: 'Late one', requester_id: ZENDESK_REQUESTERS.maria.id, priority: 'urgent', comment: { body: 'Hello?' } } }),
      });
      expect(res.status).toBe(201);
      await boxes.webhooksIdle();
      const delivery = receiver.received[0];
      expect(delivery).toBeDefined();
      const headers = (delivery as NonNullable<typeof delivery>).headers;
      const timestamp = String(headers['x-zendesk-webhook-signature-timestamp']);
      expect(Math.abs(Date.parse(timestamp) - Date.now())).toBeLessThan(SLACK_MS);
      // The receiver's own check: signature over timestamp + body, timestamp within 300 s of its clock.
      expect(verifyZendesk(headers as Record<string, string>, (delivery as NonNullable<typeof delivery>).raw, SANDBOX_WEBHOOK_SECRETS.zendesk, new Date())).toEqual({ ok: true });
      const body = (delivery as NonNullable<typeof delivery>).body as unknown as { time: string; detail: { created_at: string } };
      expect(Math.abs(Date.parse(body.time) - (Date.now() + 2 * HOUR))).toBeLessThan(SLACK_MS);
      expect(Math.abs(Date.parse(body.detail.created_at) - (Date.now() + 2 * HOUR))).toBeLessThan(SLACK_MS);
    } finally {
      boxes.zendesk.setWebhook(null);
      await receiver.close();
    }
  });

  it('Jira webhooks carry sandbox time in their body and no time in their signature', async () => {
    const receiver = new JiraReceiver();
    const url = await receiver.start();
    try {
      boxes.jira.setWebhook({ url, secret: SANDBOX_WEBHOOK_SECRETS.jira });
      boxes.clock.advance(2 * HOUR);
      const res = await fetch(`${boxes.urls.jira}/rest/api/3/issue`, {
        method: 'POST',
        headers: { authorization: jiraAuth('priya'), 'content-type': 'application/json' },
        body: JSON.stringify({ fields: { project: { key: 'SUP' }, issuetype: { name: 'Bug' }, summary: 'Later' } }),
      });
      expect(res.status).toBe(201);
      await boxes.webhooksIdle();
      const body = receiver.received[0]?.body as { timestamp: number };
      expect(Math.abs(body.timestamp - (Date.now() + 2 * HOUR))).toBeLessThan(SLACK_MS);
    } finally {
      boxes.jira.setWebhook(null);
      await receiver.stop();
    }
  });
});
