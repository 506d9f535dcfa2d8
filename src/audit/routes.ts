import express, { type NextFunction, type Request, type Response } from 'express';
import type { HelpdeskVendor } from '../domain/ticket';
import { bearerMatches } from '../http/bearer';
import type { Logger } from '../logging/logger';
import { isStoreUnavailable, type Store } from '../store/types';
import { csvHeader, csvRow } from './csv';
import { CursorError } from './cursor';
import { auditDetail, pairFacts } from './detail';
import { knowledgeGaps } from './gaps';
import { linksParams, paramsError, timelineParams, toAuditQuery, violationsParams } from './params';
import { allPairs, DEFAULT_PAGE, queryAudit } from './query';
import type { AuditSettings } from './settings';
import { actionWords } from './violations';

export interface AuditRouteDeps {
  store: Store;
  settings: AuditSettings;
  /** config audit.token (AUDIT_TOKEN); unset, every route answers 503. */
  token: string | undefined;
  logger: Logger;
  now: () => Date;
}

const DAY_MS = 86_400_000;
/** The chart's default span. */
const TIMELINE_DAYS = 30;
/** The longest span the chart is drawn for. */
const MAX_TIMELINE_DAYS = 731;

const sendError = (res: Response, status: number, message: string) => res.status(status).json({ error: message });

/**
 * A1 over HTTP: /api/audit/... behind a bearer token. The token is never optional: without one
 * configured the routes say how to set it, because the audit shows every escalated ticket.
 */
export function auditApiRouter(deps: AuditRouteDeps): express.Router {
  const { store, settings, logger } = deps;
  const router = express.Router();

  router.use('/api/audit', (req: Request, res: Response, next: NextFunction) => {
    res.set('Cache-Control', 'no-store');
    if (!deps.token) {
      return sendError(res, 503, 'the audit is not enabled: set AUDIT_TOKEN (or audit.token in the config file) to a long random secret, restart, and send it as Authorization: Bearer <token>');
    }
    if (!bearerMatches(req.headers.authorization, deps.token)) {
      res.set('WWW-Authenticate', 'Bearer realm="audit"');
      logger.warn('audit request refused', { path: req.path, reason: req.headers.authorization ? 'wrong token' : 'no token' });
      return sendError(res, 401, req.headers.authorization ? 'the audit token is wrong' : 'the audit needs Authorization: Bearer <AUDIT_TOKEN>');
    }
    return next();
  });

  const guard = (handler: (req: Request, res: Response) => Promise<unknown>) => async (req: Request, res: Response) => {
    try {
      await handler(req, res);
    } catch (err) {
      if (err instanceof CursorError) return sendError(res, 400, `query parameter cursor: ${err.message}`);
      logger.error('audit request failed', { path: req.path, error: (err as Error).message });
      if (res.headersSent) return res.end();
      if (isStoreUnavailable(err)) return sendError(res, 503, 'the store cannot be read right now; try again shortly');
      return sendError(res, 500, 'the audit could not be read');
    }
    return undefined;
  };

  router.get(
    '/api/audit/links',
    guard(async (req, res) => {
      const params = linksParams.safeParse(req.query);
      if (!params.success) return sendError(res, 400, paramsError(params.error));
      const page = await queryAudit(store, toAuditQuery(params.data), settings, deps.now());
      return res.json(page);
    }),
  );

  router.get(
    '/api/audit/links.csv',
    guard(async (req, res) => {
      const params = linksParams.omit({ cursor: true, limit: true }).safeParse(req.query);
      if (!params.success) return sendError(res, 400, paramsError(params.error));
      const now = deps.now();
      res.status(200).set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="helpdesk-sync-audit-${now.toISOString().slice(0, 10)}.csv"` });
      res.write(csvHeader());
      // Streamed page by page: 100,000 pairs never sit in memory at once.
      for await (const pair of allPairs(store, toAuditQuery(params.data), settings, now)) {
        if (!res.write(csvRow(pair))) await new Promise((resolve) => res.once('drain', resolve));
      }
      return res.end();
    }),
  );

  router.get(
    '/api/audit/links/:vendor/:connection/:ticketId',
    guard(async (req, res) => {
      const vendor = String(req.params.vendor);
      if (vendor !== 'freshdesk' && vendor !== 'zendesk') return sendError(res, 400, `vendor must be freshdesk or zendesk, not "${vendor}"`);
      const ref = { vendor: vendor as HelpdeskVendor, connectionId: String(req.params.connection), id: String(req.params.ticketId) };
      const found = await pairFacts(store, ref);
      if (!found) return sendError(res, 404, `${vendor} ticket ${ref.id} of connection ${ref.connectionId} has no Jira issue linked`);
      return res.json(auditDetail(found.facts, found.decisions, settings, deps.now()));
    }),
  );

  router.get(
    '/api/audit/knowledge-gaps',
    guard(async (req, res) => {
      if (Object.keys(req.query).length) return sendError(res, 400, `unknown query parameter(s) ${Object.keys(req.query).join(', ')}`);
      return res.json({ items: await knowledgeGaps(store, settings) });
    }),
  );

  router.get(
    '/api/audit/violations',
    guard(async (req, res) => {
      const params = violationsParams.safeParse(req.query);
      if (!params.success) return sendError(res, 400, paramsError(params.error));
      const p = params.data;
      const limit = p.limit ?? DEFAULT_PAGE;
      const rows = await store.listViolations({ vendor: p.vendor, connectionId: p.connection, ruleId: p.rule, from: p.from, to: p.to, beforeId: p.before, limit });
      // Whether each ticket has a Jira issue: the page links only those to a pair's detail.
      const keys = new Map<string, string | null>();
      for (const d of rows) {
        const id = JSON.stringify([d.ticket.vendor, d.ticket.connectionId, d.ticket.id]);
        if (!keys.has(id)) keys.set(id, (await store.getLinkByTicket(d.ticket))?.issueKey ?? null);
      }
      const items = rows.map((d) => ({
        id: d.id as number,
        vendor: d.ticket.vendor,
        connectionId: d.ticket.connectionId,
        ticketId: d.ticket.id,
        issueKey: keys.get(JSON.stringify([d.ticket.vendor, d.ticket.connectionId, d.ticket.id])) ?? null,
        ruleId: d.ruleId,
        verdict: d.verdict,
        at: d.at.toISOString(),
        summary: d.summary,
        actorId: d.actorId,
        actions: d.actions.map(actionWords),
      }));
      const last = items[items.length - 1];
      return res.json({ items, next: items.length === limit && last ? String(last.id) : null });
    }),
  );

  router.get(
    '/api/audit/timeline',
    guard(async (req, res) => {
      const params = timelineParams.safeParse(req.query);
      if (!params.success) return sendError(res, 400, paramsError(params.error));
      const now = deps.now();
      const to = params.data.to ?? new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS + DAY_MS);
      const from = params.data.from ?? new Date(to.getTime() - TIMELINE_DAYS * DAY_MS);
      if (from >= to) return sendError(res, 400, 'query parameter from: must be before to');
      if (to.getTime() - from.getTime() > MAX_TIMELINE_DAYS * DAY_MS) return sendError(res, 400, `the timeline spans at most ${MAX_TIMELINE_DAYS} days`);
      const days = await store.auditTimeline({ vendor: params.data.vendor, connectionId: params.data.connection, from, to });
      return res.json({ from: from.toISOString(), to: to.toISOString(), days });
    }),
  );

  const readOnly = [/^\/api\/audit\/links(\.csv)?$/, /^\/api\/audit\/links\/[^/]+\/[^/]+\/[^/]+$/, /^\/api\/audit\/(knowledge-gaps|violations|timeline)$/];
  router.all('/api/audit/*path', (req, res, next) => {
    if (!readOnly.some((re) => re.test(req.path))) return next();
    res.set('Allow', 'GET, HEAD');
    return sendError(res, 405, `${req.method} is not allowed here; the audit is read-only (GET)`);
  });
  router.all('/api/audit/*path', (_req, res) => sendError(res, 404, 'no such audit route; see /api/audit/links, /api/audit/links.csv, /api/audit/links/:vendor/:connection/:ticketId, /api/audit/knowledge-gaps, /api/audit/violations, /api/audit/timeline'));
  return router;
}

