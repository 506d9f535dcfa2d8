import express, { type ErrorRequestHandler, type Request, type Response } from 'express';
import { auditPageRouter } from '../audit/page';
import { auditApiRouter } from '../audit/routes';
import { auditSettings } from '../audit/settings';
import type { LoadedConfig, ResolvedConnection } from '../config/load';
import { DEFAULT_CONNECTION_ID } from '../config/load';
import { VENDORS, type Vendor } from '../domain/ticket';
import { webhookAdapters } from '../intake/adapters';
import { receiveWebhook } from '../intake/receive';
import type { Logger } from '../logging/logger';
import { bearerMatches } from './bearer';
import { requestIdOf, requestIds, requestLogger } from './request-id';
import { Metrics, webhookOutcome } from '../metrics/registry';
import type { Store } from '../store/types';
import type { Circuits } from '../vendors/core/circuit';

export interface AppDeps {
  loaded: LoadedConfig;
  store: Store;
  logger: Logger;
  /** Called after an event is committed, so the worker picks it up at once. */
  onEnqueued?: () => void;
  now?: () => Date;
  /** The service's metrics, served at GET /metrics; the app makes its own (on `store`) when none is given. */
  metrics?: Metrics;
  /** Bearer token GET /metrics asks for; defaults to config server.metricsToken (METRICS_TOKEN). Open when neither is set. */
  metricsToken?: string;
  /** Bearer token of the audit's routes; defaults to config audit.token (AUDIT_TOKEN). Unset, they answer 503. */
  auditToken?: string;
  /** False in a `--role worker` process: it serves health and metrics, and takes no webhooks. */
  webhooks?: boolean;
  /** The process's circuit breakers: /readyz lists the open ones. */
  circuits?: Circuits;
}

/** How long /readyz waits for the store before it calls it unreachable. */
const READY_TIMEOUT_MS = 2_000;

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * Proves the store takes writes, not only reads: a full disk or a read-only file answers
 * reads to the end. A lock row is written and removed (the same tables the jobs lock with).
 */
async function probeWrite(store: Store, holder: string, now: Date): Promise<void> {
  await store.acquireLock('readyz-write-probe', holder, now, 10_000);
  await store.releaseLock('readyz-write-probe', holder);
}

const sendError = (res: Response, status: number, message: string) => res.status(status).json({ error: message });

/** 405 naming the methods the route takes (RFC 9110: a 405 carries Allow). */
const wrongMethod = (req: Request, res: Response, allow: string, hint: string) => {
  res.set('Allow', allow);
  return sendError(res, 405, `${req.method} is not allowed on ${req.path}; ${hint}`);
};

/** The path as the webhook routes look it up: without trailing slashes. */
const routePath = (req: Request) => req.path.replace(/\/+$/, '');

/** Webhook paths to connections: /webhooks/<vendor> (default), /webhooks/<vendor>/<id>, and any configured path. */
function routeTable(connections: ResolvedConnection[]): Map<string, ResolvedConnection> {
  const table = new Map<string, ResolvedConnection>();
  for (const c of connections) {
    table.set(`/webhooks/${c.vendor}/${c.id}`, c);
    table.set(c.webhookPath, c);
    if (c.id === DEFAULT_CONNECTION_ID) table.set(`/webhooks/${c.vendor}`, c);
  }
  return table;
}

function isJson(req: Request): boolean {
  const type = req.headers['content-type'];
  return typeof type === 'string' && /^application\/([a-z0-9.+-]*\+)?json\b/i.test(type.trim());
}

export function createApp(deps: AppDeps): express.Express {
  const { loaded, store } = deps;
  // Lines logged while a request is served carry its requestId (the audit's routers log with it).
  const logger = requestLogger(deps.logger);
  const now = deps.now ?? (() => new Date());
  const metrics = deps.metrics ?? new Metrics({ store, logger: deps.logger, now });
  const metricsToken = deps.metricsToken ?? loaded.config.server.metricsToken;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);

  // Before everything: every answer, 404s and errors included, carries X-Request-Id.
  app.use(requestIds());

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  const probeHolder = `readyz:${process.pid}`;
  app.get('/readyz', async (_req, res) => {
    // Open circuits do not make the service unready: webhooks are still taken and stored.
    const circuits = (deps.circuits?.open() ?? []).map((c) => ({
      vendor: c.vendor,
      connection: c.connectionId,
      state: c.state,
      reason: c.reason,
      since: c.openedAt?.toISOString() ?? null,
      nextProbeAt: c.probeAt?.toISOString() ?? null,
      lastError: c.lastError,
    }));
    const health = await withTimeout(store.health(), READY_TIMEOUT_MS, 'the store health check').catch((err: Error) => ({ ok: false, schemaVersion: 0, expectedVersion: 0, error: err.message }));
    if (!health.ok) {
      logger.error('readiness check failed', { store: store.kind, error: health.error });
      return res.status(503).json({
        status: 'not ready',
        error: health.error ? 'store unreachable' : `schema at version ${health.schemaVersion}, expected ${health.expectedVersion}`,
        circuits,
      });
    }
    try {
      await withTimeout(probeWrite(store, probeHolder, now()), READY_TIMEOUT_MS, 'the store write probe');
    } catch (err) {
      logger.error('readiness check failed: the store cannot write', { store: store.kind, error: (err as Error).message });
      return res.status(503).json({ status: 'not ready', error: 'store cannot write', circuits });
    }
    return res.json({ status: 'ready', store: store.kind, schemaVersion: health.schemaVersion, write: 'ok', circuits });
  });

  app.get('/metrics', async (req, res) => {
    if (metricsToken && !bearerMatches(req.headers.authorization, metricsToken)) {
      res.set('WWW-Authenticate', 'Bearer realm="metrics"');
      return sendError(res, 401, 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>');
    }
    try {
      const text = await metrics.text();
      return res.set('Content-Type', metrics.contentType).send(text);
    } catch (err) {
      logger.error('metrics scrape failed', { error: (err as Error).message });
      return sendError(res, 500, 'could not render the metrics');
    }
  });

  // A1: read-only, behind its own token; the webhook routes below keep their vendors' verification.
  app.use(auditPageRouter());
  app.use(auditApiRouter({ store, settings: auditSettings(loaded.config), token: deps.auditToken ?? loaded.config.audit.token, logger, now }));

  const routes = routeTable(loaded.connections);
  const adapters = webhookAdapters({ zendeskMaxSkewSeconds: loaded.config.webhooks.zendeskMaxSkewSeconds });
  const rawBody = express.raw({ type: () => true, limit: loaded.config.server.bodyLimit });

  const refused = (res: Response, connection: ResolvedConnection, status: number, reason: string) =>
    logger.warn('webhook refused', { vendor: connection.vendor, connection: connection.id, status, reason, requestId: requestIdOf(res) });

  // A webhook route asked with another method than POST (a GET from a browser, a misconfigured
  // vendor): 405, not the 404 of a path that does not exist. A --role worker process has none.
  app.all(/.*/, (req, res, next) => {
    if (req.method === 'POST' || deps.webhooks === false || !routes.has(routePath(req))) return next();
    return wrongMethod(req, res, 'POST', 'webhooks are delivered with POST');
  });

  // Any configured path (it may live outside /webhooks/) and everything under /webhooks/.
  app.post(/.*/, (req, res, next) => {
    if (deps.webhooks === false) {
      if (!req.path.startsWith('/webhooks') && !routes.has(routePath(req))) return next('route');
      return sendError(res, 404, 'this process runs with --role worker and takes no webhooks; send them to a web (or all) process');
    }
    const connection = routes.get(routePath(req));
    if (!connection && !req.path.startsWith('/webhooks')) return next('route');
    if (!connection) {
      const [, , vendor, id] = req.path.split('/');
      if (vendor && (VENDORS as readonly string[]).includes(vendor)) {
        const known = loaded.connections.filter((c) => c.vendor === vendor).map((c) => c.id);
        return sendError(res, 404, `unknown ${vendor} connection "${id ?? ''}"; configured: ${known.join(', ')}`);
      }
      return sendError(res, 404, `no webhook at ${req.path}; use /webhooks/freshdesk, /webhooks/zendesk or /webhooks/jira`);
    }
    if (!isJson(req)) {
      metrics.webhook(connection.vendor, connection.id, webhookOutcome(415));
      refused(res, connection, 415, 'Content-Type must be application/json');
      return sendError(res, 415, 'Content-Type must be application/json');
    }
    res.locals.connection = connection;
    return rawBody(req, res, next);
  }, async (req, res, next) => {
    const connection = res.locals.connection as ResolvedConnection;
    try {
      const result = await receiveWebhook(
        {
          connection,
          adapter: adapters[connection.vendor as Vendor],
          headers: req.headers,
          rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
          now: now(),
          requestId: requestIdOf(res),
        },
        { store, logger, contentDedupeWindowMs: loaded.config.webhooks.contentDedupeWindowMinutes * 60_000, maxJsonDepth: loaded.config.server.maxJsonDepth },
      );
      if (result.status >= 400) refused(res, connection, result.status, String(result.body.error));
      metrics.webhook(connection.vendor, connection.id, webhookOutcome(result.status, result.body));
      res.status(result.status).json(result.body);
      if (result.eventId !== undefined) deps.onEnqueued?.();
    } catch (err) {
      next(err);
    }
  });

  // Health and metrics are read with GET (HEAD too: express answers it from the GET route).
  app.all(['/healthz', '/readyz', '/metrics'], (req, res) => wrongMethod(req, res, 'GET, HEAD', 'use GET'));

  app.use((_req, res) => sendError(res, 404, 'not found'));

  const onError: ErrorRequestHandler = (err: { type?: string; status?: number; limit?: number; message?: string }, req, res, _next) => {
    const answer = (status: number, message: string) => {
      // A webhook the route took (its connection is known) that failed on the way in.
      const connection = res.locals.connection as ResolvedConnection | undefined;
      if (connection) {
        metrics.webhook(connection.vendor, connection.id, webhookOutcome(status));
        if (status < 500) refused(res, connection, status, message);
      }
      return sendError(res, status, message);
    };
    if (err.type === 'entity.too.large') {
      return answer(413, `body is larger than the ${loaded.config.server.bodyLimit} limit`);
    }
    if (err.type === 'request.aborted') return answer(400, 'request aborted by the client');
    if (err.type === 'encoding.unsupported' || err.type === 'charset.unsupported') {
      return answer(415, 'unsupported content encoding or charset');
    }
    if (typeof err.status === 'number' && err.status >= 400 && err.status < 500) {
      return answer(err.status, 'bad request');
    }
    // The event was not stored: a 503 makes every vendor deliver it again later.
    logger.error('request failed', { path: req.path, method: req.method, requestId: requestIdOf(res), error: err.message });
    return answer(503, 'could not store the event right now; it will be accepted on redelivery');
  };
  app.use(onError);
  return app;
}
