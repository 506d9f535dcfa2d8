/**
 * For work on the audit page: `npx tsx test/browser/dev-server.ts` plays the demo, then serves
 * the page from this folder's sources on a port of its own and passes /api/ on to the demo's
 * helpdesk-sync, so the page's files can be edited and reloaded without replaying the demo
 * (the page router reads its files once: restart after an edit). Prints the URL and the token.
 */
import express from 'express';
import type { AddressInfo } from 'node:net';
import { auditPageRouter } from '../../src/audit/page';
import { runDemo } from '../../src/sandbox/demo/run-demo';

async function main(): Promise<void> {
  const token = process.env.AUDIT_TOKEN ?? 'dev-audit-token';
  const run = await runDemo({ once: true, port: 0, write: () => undefined, env: { AUDIT_TOKEN: token } });
  const app = express();
  app.use((req, _res, next) => {
    // Re-read the page's files on every request of the shell, so an edit shows on reload.
    if (req.path === '/audit') router = auditPageRouter();
    next();
  });
  let router = auditPageRouter();
  app.use((req, res, next) => router(req, res, next));
  app.use('/api', async (req, res) => {
    const upstream = await fetch(`${run.service.url}/api${req.url}`, { headers: { accept: req.headers.accept ?? '*/*', ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) } });
    res.status(upstream.status);
    for (const name of ['content-type', 'content-disposition', 'cache-control', 'www-authenticate']) {
      const v = upstream.headers.get(name);
      if (v) res.set(name, v);
    }
    res.send(Buffer.from(await upstream.arrayBuffer()));
  });
  const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    console.log(`audit page  http://127.0.0.1:${port}/audit   token ${token}`);
    console.log(`service     ${run.service.url}`);
  });
  const stop = async () => {
    server.close();
    await run.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

void main();
