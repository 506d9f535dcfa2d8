import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { AUDIT_PAGE_CSP, auditPageRouter } from '../../src/audit/page';
import { auditApiRouter } from '../../src/audit/routes';
import type { AuditSettings } from '../../src/audit/settings';
import type { AuditDetail, AuditPage, KnowledgeGapItem } from '../../src/audit/types';
import { createLogger } from '../../src/logging/logger';
import { runDemo, type DemoRun } from '../../src/sandbox/demo/run-demo';
import type { Store } from '../../src/store/types';
import { configFile } from '../e2e/stack';
import { browserDescribe, hasFocus, launchChromium, waitForCount, waitForEvery, watchConsole } from './browser';
import { fixturePair, startFixtureApi } from './fixture-api';

/**
 * The CS leads' audit page (A1) in Debian's Chromium, against the real helpdesk-sync that the
 * demo leaves behind (sandboxes, SQLite, scenarios a..e played): sign in, the table against the
 * store, a filter, a pair's trail, knowledge gaps, the chart, the CSV, and a reverse proxy that
 * adds the header itself. AUDIT_SCREENSHOT=docs/audit.png writes the README's picture.
 */
const TOKEN = 'browser-test-audit-token-0123456789';
const VIEWPORT = { width: 1366, height: 768 };

describe('the audit page over HTTP', () => {
  const app = express().use(auditPageRouter());

  it('serves the shell with a strict CSP and no inline script, and its assets with their types', async () => {
    const shell = await request(app).get('/audit').expect(200);
    expect(shell.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(shell.headers['content-security-policy']).toBe(AUDIT_PAGE_CSP);
    expect(AUDIT_PAGE_CSP).toContain("default-src 'self'");
    expect(AUDIT_PAGE_CSP).not.toContain('unsafe-inline');
    expect(shell.headers['cache-control']).toBe('no-cache');
    expect(shell.headers['x-content-type-options']).toBe('nosniff');
    // Scripts only by src, no inline handlers, nothing from another origin.
    expect(shell.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(shell.text).not.toMatch(/\son[a-z]+=/i);
    expect(shell.text).not.toMatch(/(src|href)="(https?:)?\/\//);
    const versioned = /audit\/assets\/app\.js\?v=([0-9a-f]{12})/.exec(shell.text);
    expect(versioned).not.toBeNull();

    const js = await request(app).get(`/audit/assets/app.js?v=${versioned?.[1]}`).expect(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers['content-security-policy']).toBe(AUDIT_PAGE_CSP);
    // Data reaches the DOM through textContent only.
    expect(js.text).not.toMatch(/\.innerHTML\s*=|insertAdjacentHTML|document\.write/);
    const css = await request(app).get('/audit/assets/app.css').expect(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.headers['cache-control']).toBe('no-cache');
    await request(app).get('/audit/assets/icon.svg').expect(200).expect('Content-Type', 'image/svg+xml');
    // Revalidation answers 304.
    await request(app).get('/audit').set('If-None-Match', shell.headers.etag as string).expect(304);
    await request(app).get('/audit/assets/nope.js').expect(404);
    await request(app).get('/audit/assets/..%2Findex.ts').expect(404);
    await request(app).get('/audit/?vendor=zendesk').expect(301).expect('Location', '../audit?vendor=zendesk');
  });

  it('names the build step when its files are missing', () => {
    expect(() => auditPageRouter({ staticDir: path.join(__dirname, 'nowhere') })).toThrow(/npm run build/);
  });
});

browserDescribe('the audit page in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  const newPage = async (options: Parameters<Browser['newContext']>[0] = {}): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser.newContext({ viewport: VIEWPORT, locale: 'en-GB', timezoneId: 'UTC', acceptDownloads: true, ...options });
    return { context, page: await context.newPage() };
  };

  describe('against the demo', () => {
    let run: DemoRun;
    let base: string;
    const api = async <T>(route: string): Promise<T> => {
      const res = await fetch(`${run.service.url}/api/audit/${route}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      if (!res.ok) throw new Error(`GET /api/audit/${route}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    };

    beforeAll(async () => {
      run = await runDemo({ once: true, port: 0, write: () => undefined, env: { AUDIT_TOKEN: TOKEN, CONFIG_FILE: configFile() } });
      base = run.service.url;
    }, 180_000);
    afterAll(async () => {
      await run?.stop();
    }, 60_000);

    const signIn = async (page: Page, address = `${base}/audit`) => {
      await page.goto(address);
      await page.getByLabel('Audit token').fill(TOKEN);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('#pairs-body a.pair-link').first().waitFor();
    };
    const rowKeys = (page: Page) => page.locator('#pairs-body tr[data-key]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key') as string));

    it('asks for the token, then lists every pair the demo linked, as the store has them', async () => {
      const { context, page } = await newPage();
      const watch = watchConsole(page, [401]);
      await page.goto(`${base}/audit`);
      await expect(page.getByLabel('Audit token').isVisible()).resolves.toBe(true);
      // A wrong token is refused, and the form stays.
      await page.getByLabel('Audit token').fill('not-the-token');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('That token was refused').waitFor();
      await signIn(page);
      await expect(page.getByLabel('Audit token').isVisible()).resolves.toBe(false);

      const links = await run.service.store.listLinks();
      expect(links.length).toBeGreaterThanOrEqual(3);
      const keys = await rowKeys(page);
      expect(keys.sort()).toEqual(links.map((l) => JSON.stringify([l.ticket.vendor, l.ticket.connectionId, l.ticket.id])).sort());
      // Each row shows its Jira key, linked to the issue.
      for (const link of links.filter((l) => l.issueKey)) {
        await expect(page.locator('#pairs-body a', { hasText: link.issueKey as string }).count()).resolves.toBe(1);
      }
      // The token is kept for the tab's session: a reload does not ask again.
      await page.reload();
      await page.locator('#pairs-body a.pair-link').first().waitFor();
      await expect(page.getByLabel('Audit token').isVisible()).resolves.toBe(false);

      // The chart: one bar group per day, and a text alternative with the totals.
      const timeline = await api<{ days: Array<{ escalations: number; violations: number; raised: number }> }>('timeline');
      const raised = timeline.days.reduce((n, d) => n + d.raised, 0);
      expect(raised).toBeGreaterThan(0);
      const label = await page.locator('#chart-body svg[role="img"]').getAttribute('aria-label');
      expect(label).toContain(`${raised} jira issues raised`);
      await expect(page.locator('#chart-body table tbody tr').count()).resolves.toBe(timeline.days.filter((d) => d.escalations + d.violations + d.raised > 0).length);

      if (process.env.AUDIT_SCREENSHOT) {
        await page.mouse.move(0, 0);
        await page.screenshot({ path: path.resolve(process.env.AUDIT_SCREENSHOT) });
      }

      // Sign out forgets the token.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('Audit token').waitFor();
      await expect(page.evaluate(() => sessionStorage.length)).resolves.toBe(0);
      expect(watch.errors).toEqual([]);
      await context.close();
    }, 120_000);

    it('narrows the table with a filter and keeps it in the address, to share', async () => {
      const { context, page } = await newPage();
      const watch = watchConsole(page, [401]);
      await signIn(page);
      const all = await rowKeys(page);
      await page.getByLabel('Helpdesk').selectOption('zendesk');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForURL(/vendor=zendesk/);
      await waitForEvery(page, '#pairs-body tr[data-key]', 'data-key', '["zendesk"');
      const zendesk = await rowKeys(page);
      const expected = (await run.service.store.listLinks({ vendor: 'zendesk' })).length;
      expect(zendesk).toHaveLength(expected);
      expect(zendesk.length).toBeLessThan(all.length);

      // Only problems, on top: as the API judges them.
      await page.getByLabel('Only problems').check();
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForURL(/problems=1/);
      const problems = await api<AuditPage>('links?vendor=zendesk&problems=1');
      await waitForCount(page, '#pairs-body tr[data-key]', problems.items.length);
      for (const pair of problems.items) {
        for (const problem of pair.problems) {
          await expect(page.locator(`#pairs-body tr[data-key='${JSON.stringify([pair.ticket.vendor, pair.ticket.connectionId, pair.ticket.id])}'] .badge`, { hasText: problem.ruleId }).count()).resolves.toBeGreaterThan(0);
        }
      }

      // The shared link opens with the same filters, once its reader signs in (a new tab has
      // a session of its own).
      const other = await context.newPage();
      await signIn(other, page.url());
      await expect(other.getByLabel('Helpdesk').inputValue()).resolves.toBe('zendesk');
      await expect(other.getByLabel('Only problems').isChecked()).resolves.toBe(true);
      await expect(other.locator('#pairs-body tr[data-key]').count()).resolves.toBe(problems.items.length);
      expect(watch.errors).toEqual([]);
      await context.close();
    }, 120_000);

    it("opens a pair's story from the keyboard: trail, content, violations; Escape closes it", async () => {
      const { context, page } = await newPage();
      const watch = watchConsole(page, [401]);
      await signIn(page);
      // The pair with the most to tell: the one with the most violations.
      const pairs = await api<AuditPage>('links');
      const pair = [...pairs.items].sort((a, b) => b.violations.length - a.violations.length)[0];
      if (!pair) throw new Error('the demo linked no pair');
      const t = pair.ticket;
      const detail = await api<AuditDetail>(`links/${t.vendor}/${t.connectionId}/${t.id}`);
      expect(detail.timeline.length).toBeGreaterThan(0);

      // Tab from the last filter control into the table: the first row's subject link.
      await page.locator('#csv').focus();
      const row = page.locator(`#pairs-body tr[data-key='${JSON.stringify([t.vendor, t.connectionId, t.id])}']`);
      const link = row.locator('a.pair-link');
      let guard = 0;
      while (!(await hasFocus(link)) && guard++ < 40) await page.keyboard.press('Tab');
      expect(guard).toBeLessThan(40);
      await page.keyboard.press('Enter');

      const panel = page.locator('#detail');
      await panel.locator('.timeline li').first().waitFor();
      expect(decodeURIComponent(new URL(page.url()).hash)).toBe(`#pair/${t.vendor}/${t.connectionId}/${t.id}`);
      await expect(panel.locator('.timeline li').count()).resolves.toBe(detail.timeline.length);
      for (const entry of detail.timeline) {
        await expect(panel.locator('.timeline li', { hasText: entry.text }).count()).resolves.toBeGreaterThan(0);
      }
      await expect(panel.locator('#d-content').textContent()).resolves.toContain(`${detail.completeness.sections.filter((s) => s.present).length}/${detail.completeness.sections.length}`);
      for (const v of detail.violations) {
        await expect(panel.locator('[aria-labelledby="d-violations"] tbody tr', { hasText: v.summary }).count()).resolves.toBeGreaterThan(0);
      }
      await expect(panel.locator('[aria-labelledby="d-decisions"] tbody tr').count()).resolves.toBe(detail.decisions.length);

      // The story is in the address: opening it there shows the same pair after signing in.
      const other = await context.newPage();
      await signIn(other, page.url());
      await other.locator('#detail .timeline li').first().waitFor();
      await expect(other.locator('#detail-title').textContent()).resolves.toBe(t.subject ?? `${t.vendor} #${t.id}`);
      await other.close();

      await page.keyboard.press('Escape');
      await expect(panel.isHidden()).resolves.toBe(true);
      await expect(hasFocus(link)).resolves.toBe(true);
      expect(new URL(page.url()).hash).toBe('');
      expect(watch.errors).toEqual([]);
      await context.close();
    }, 120_000);

    it('lists the knowledge gaps and the violations, and downloads the CSV with the token', async () => {
      const { context, page } = await newPage();
      const watch = watchConsole(page, [401]);
      await signIn(page);

      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Download CSV' }).click();
      const file = await (await download).path();
      const csv = readFileSync(file, 'utf8').trim().split(/\r\n/);
      expect(csv[0]).toMatch(/^vendor,connection,ticket_id,/);
      expect(csv).toHaveLength((await run.service.store.listLinks()).length + 1);

      const gaps = await api<{ items: KnowledgeGapItem[] }>('knowledge-gaps');
      await page.getByRole('button', { name: 'Knowledge gaps' }).click();
      await page.waitForURL(/view=gaps/);
      await page.locator('#gaps-body tr').first().waitFor();
      if (gaps.items.length === 0) {
        await page.getByText('No knowledge gaps').waitFor();
      } else {
        await waitForCount(page, '#gaps-body tr', gaps.items.length);
        for (const g of gaps.items) await expect(page.locator('#gaps-body tr', { hasText: `#${g.ticketId}` }).count()).resolves.toBe(1);
      }

      const violations = await api<{ items: Array<{ summary: string }> }>('violations');
      expect(violations.items.length).toBeGreaterThan(0);
      await page.getByRole('button', { name: 'Violations' }).click();
      await page.waitForURL(/view=violations/);
      await waitForCount(page, '#violations-body tr', violations.items.length);
      for (const v of violations.items) {
        const same = violations.items.filter((x) => x.summary === v.summary).length;
        await expect(page.locator('#violations-body tr', { hasText: v.summary }).count()).resolves.toBe(same);
      }
      expect(watch.errors).toEqual([]);
      await context.close();
    }, 120_000);

    it('shows the data at once behind a proxy that adds the Authorization header', async () => {
      const { context, page } = await newPage({ extraHTTPHeaders: { Authorization: `Bearer ${TOKEN}` } });
      const watch = watchConsole(page);
      await page.goto(`${base}/audit`);
      await page.locator('#pairs-body a.pair-link').first().waitFor();
      await expect(page.locator('#login').isHidden()).resolves.toBe(true);
      // Nothing to sign out of: the proxy holds the token.
      await expect(page.getByRole('button', { name: 'Sign out' }).isHidden()).resolves.toBe(true);
      await expect(page.locator('#pairs-body tr[data-key]').count()).resolves.toBe((await run.service.store.listLinks()).length);
      expect(watch.errors).toEqual([]);
      await context.close();
    }, 60_000);
  });

  it('says how to set AUDIT_TOKEN when the server has none', async () => {
    // The real API router, with no token configured: it answers 503 before it reads the store.
    const app = express()
      .use(auditPageRouter())
      .use(auditApiRouter({ store: {} as Store, settings: {} as AuditSettings, token: undefined, logger: createLogger({ level: 'silent' }), now: () => new Date() }));
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const { context, page } = await newPage();
    const watch = watchConsole(page, [503]);
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/audit`);
      await page.locator('#unconfigured').waitFor();
      await expect(page.locator('#unconfigured-message').textContent()).resolves.toContain('AUDIT_TOKEN');
      await expect(page.locator('#login').isHidden()).resolves.toBe(true);
      expect(watch.errors).toEqual([]);
    } finally {
      await context.close();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 60_000);

  it('pages with Load more, the focus on the first new row', async () => {
    const fixture = await startFixtureApi({ token: TOKEN, pairs: Array.from({ length: 60 }, (_, i) => fixturePair({ id: String(1000 + i), subject: `Ticket number ${1000 + i}` })) });
    const { context, page } = await newPage({ extraHTTPHeaders: { Authorization: `Bearer ${TOKEN}` } });
    const watch = watchConsole(page);
    try {
      await page.goto(`${fixture.url}/audit`);
      await page.locator('#pairs-body a.pair-link').first().waitFor();
      await expect(page.locator('#pairs-body tr[data-key]').count()).resolves.toBe(50);
      await page.getByRole('button', { name: 'Load more' }).click();
      await waitForCount(page, '#pairs-body tr[data-key]', 60);
      await expect(page.evaluate('document.activeElement.textContent')).resolves.toBe('Ticket number 1050');
      await expect(page.getByRole('button', { name: 'Load more' }).isHidden()).resolves.toBe(true);
      expect(watch.errors).toEqual([]);
    } finally {
      await context.close();
      await fixture.close();
    }
  }, 60_000);

  it('puts hostile ticket text on the page as text, and no unsafe link', async () => {
    const hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
    const fixture = await startFixtureApi({
      token: TOKEN,
      pairs: [fixturePair({ subject: hostile, url: 'javascript:window.__pwned=3', problemText: hostile })],
    });
    const { context, page } = await newPage();
    const watch = watchConsole(page, [401]);
    try {
      await page.goto(`${fixture.url}/audit`);
      await page.getByLabel('Audit token').fill(TOKEN);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const link = page.locator('#pairs-body a.pair-link');
      await link.waitFor();
      await expect(link.textContent()).resolves.toBe(hostile);
      await link.click();
      await page.locator('#detail .timeline li').first().waitFor();
      await expect(page.locator('#detail-title').textContent()).resolves.toBe(hostile);
      await expect(page.locator('main img, #detail img, main script, #detail script').count()).resolves.toBe(0);
      await expect(page.locator('a[href^="javascript:"]').count()).resolves.toBe(0);
      await expect(page.evaluate('window.__pwned')).resolves.toBeUndefined();
      expect(watch.errors).toEqual([]);
    } finally {
      await context.close();
      await fixture.close();
    }
  }, 60_000);
});
