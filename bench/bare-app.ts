/**
 * The baseline of the intake benchmark (bench/intake.ts), run as its own process:
 *
 *   tsx bench/bare-app.ts express <port>   an express 5 app that parses the JSON body of
 *                                          POST /webhooks/* and answers 202, nothing else;
 *   tsx bench/bare-app.ts raw <port>       node:http reading the body and answering 202
 *                                          without parsing it: the ceiling of the load
 *                                          generator itself on this machine.
 *
 * Prints "bare-app listening <port>" once it accepts connections.
 */
import express from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const mode = process.argv[2] ?? 'express';
const port = Number(process.argv[3] ?? 0);

function expressServer(): Server {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // helpdesk-sync accepts application/json and +json types, up to 1mb by default.
  app.post(/^\/webhooks\//, express.json({ limit: '1mb', type: ['application/json', 'application/*+json'] }), (req, res) => {
    const body = req.body as Record<string, unknown> | undefined;
    res.status(202).json({ status: 'accepted', event: typeof body?.webhookEvent === 'string' ? body.webhookEvent : null });
  });
  return app.listen(port, '127.0.0.1');
}

function rawServer(): Server {
  const server = createServer((req, res) => {
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    req.on('data', () => undefined);
    req.on('end', () => {
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"accepted"}');
    });
  });
  return server.listen(port, '127.0.0.1');
}

if (mode !== 'express' && mode !== 'raw') {
  process.stderr.write(`usage: tsx bench/bare-app.ts express|raw <port>\n`);
  process.exit(2);
}
const server = mode === 'raw' ? rawServer() : expressServer();
server.keepAliveTimeout = 30_000;
server.once('listening', () => {
  process.stdout.write(`bare-app listening ${(server.address() as AddressInfo).port}\n`);
});
server.once('error', (err) => {
  process.stderr.write(`${err.stack ?? String(err)}\n`);
  process.exit(1);
});
const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
