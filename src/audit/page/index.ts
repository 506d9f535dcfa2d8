import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import express, { type Request, type Response } from 'express';

/**
 * The CS leads' audit page (A1): GET /audit, a static shell, and its assets under
 * /audit/assets/. They hold no data and need no token; the script asks /api/audit/... for the
 * data with the lead's token. The files live in ./static beside this module: `npm run build`
 * copies that folder into dist/, so the same lookup works from src (tsx, jest) and from dist.
 */
export const STATIC_DIR = path.join(__dirname, 'static');

/** No inline script or style, nothing from another origin, not framed: the page's data is every escalated ticket. */
export const AUDIT_PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const ASSET_TYPES: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  'icon.svg': 'image/svg+xml',
};

interface Asset {
  body: Buffer;
  type: string;
}

export interface AuditPageOptions {
  /** Where index.html and the assets are; the folder beside this module by default. */
  staticDir?: string;
}

function readStatic(dir: string, name: string): Buffer {
  const file = path.join(dir, name);
  if (!existsSync(file)) {
    throw new Error(`the audit page's ${name} is missing from ${dir}: a build must copy src/audit/page/static there (npm run build does)`);
  }
  return readFileSync(file);
}

function securityHeaders(res: Response): void {
  res.set({
    'Content-Security-Policy': AUDIT_PAGE_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  });
}

/**
 * GET /audit and GET /audit/assets/<file>. The files are read once, when the router is made.
 * The shell names its assets with a content hash (?v=...): a request carrying the current hash
 * may be cached for a year; the shell itself and an unversioned asset are revalidated each time
 * (express answers 304 to a matching ETag).
 */
export function auditPageRouter(options: AuditPageOptions = {}): express.Router {
  const dir = options.staticDir ?? STATIC_DIR;
  const assets = new Map<string, Asset>();
  const hash = createHash('sha256');
  for (const [name, type] of Object.entries(ASSET_TYPES)) {
    const body = readStatic(dir, name);
    assets.set(name, { body, type });
    hash.update(name).update(body);
  }
  const version = hash.digest('hex').slice(0, 12);
  const shell = readStatic(dir, 'index.html').toString('utf8').replaceAll('{{version}}', version);

  const router = express.Router({ strict: true });

  router.get('/audit', (_req: Request, res: Response) => {
    securityHeaders(res);
    res.set('Cache-Control', 'no-cache');
    res.type('text/html; charset=utf-8').send(shell);
  });

  // The shell's relative links are resolved against /audit, so /audit/ goes back there.
  router.get('/audit/', (req: Request, res: Response) => {
    const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
    res.redirect(301, `../audit${query}`);
  });

  router.get('/audit/assets/:name', (req: Request, res: Response, next) => {
    const asset = assets.get(String(req.params.name));
    if (!asset) return next();
    securityHeaders(res);
    res.set('Cache-Control', req.query.v === version ? 'public, max-age=31536000, immutable' : 'no-cache');
    return res.type(asset.type).send(asset.body);
  });

  return router;
}
