/**
 * An HTTP hop for test/reliability/faults.test.ts, put between helpdesk-sync and one vendor (or
 * between the vendors' webhooks and helpdesk-sync), that can be switched at any moment between:
 * - `pass`: every request forwarded to the target as is, the answer streamed back;
 * - `unavailable`: every request answered 503 by the hop, in the vendor's own error shape (what
 *   a vendor's edge answers while its backend is down);
 * - `rate-limited`: every request answered 429 with Retry-After, in the vendor's shape;
 * - `closed`: nothing listens on the port any more (every open socket destroyed, so keep-alive
 *   connections break too): connects get ECONNREFUSED until another mode opens it again on the
 *   same port.
 * Every request that reached the hop is recorded (time, mode, status; the answer's body when
 * asked), so a test can count the calls a vendor saw during a fault window.
 */
import { createServer, request as httpRequest, type ClientRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type ProxyMode = 'pass' | 'unavailable' | 'rate-limited' | 'closed';

export interface ProxiedCall {
  /** When the request arrived (ms). */
  at: number;
  method: string;
  path: string;
  /** The mode that decided the answer (`pass` for a request the fault does not hit). */
  mode: ProxyMode;
  /** The status answered; null when the connection broke before an answer. */
  status: number | null;
  /** The answer's body as text (only with recordBodies). */
  body?: string;
}

export interface FaultProxyOptions {
  /** The vendor's error body for a status the hop answers itself (503, 429). */
  errorBody?: (status: number, message: string) => unknown;
  /** Seconds of Retry-After on 429 answers (and on 503 answers when set). */
  retryAfterSeconds?: number;
  unavailableRetryAfterSeconds?: number;
  /** Keep every answer's body (for leak checks of what the target answered). */
  recordBodies?: boolean;
  /**
   * Which requests the fault modes (`unavailable`, `rate-limited`) hit; the others pass. A
   * vendor's per-endpoint limit (Freshdesk's ticket-update budget) refuses some calls only.
   */
  only?: (method: string, path: string) => boolean;
}

const defaultErrorBody = (status: number, message: string) => ({ error: message, status });

export class FaultProxy {
  private server: Server | null = null;
  private port = 0;
  private modeNow: ProxyMode = 'pass';
  private readonly sockets = new Set<Socket>();
  private readonly upstream = new Set<ClientRequest>();
  readonly calls: ProxiedCall[] = [];
  /** Mode switches, in order, with their time (ms). */
  readonly switches: Array<{ at: number; mode: ProxyMode }> = [];
  private readonly target: URL;

  constructor(
    target: string,
    private readonly options: FaultProxyOptions = {},
  ) {
    this.target = new URL(target);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get mode(): ProxyMode {
    return this.modeNow;
  }

  async start(): Promise<string> {
    await this.open(0);
    this.switches.push({ at: Date.now(), mode: 'pass' });
    return this.url;
  }

  /** Switches mode; `closed` resolves once the port refuses connections, any other once it listens. */
  async setMode(mode: ProxyMode): Promise<void> {
    const previous = this.modeNow;
    this.modeNow = mode;
    this.switches.push({ at: Date.now(), mode });
    if (mode === 'closed' && previous !== 'closed') await this.shut();
    else if (mode !== 'closed' && previous === 'closed') await this.open(this.port);
  }

  /** Calls that arrived in [from, to). */
  callsBetween(from: number, to: number = Number.POSITIVE_INFINITY): ProxiedCall[] {
    return this.calls.filter((c) => c.at >= from && c.at < to);
  }

  async close(): Promise<void> {
    this.modeNow = 'closed';
    await this.shut();
  }

  private async open(port: number): Promise<void> {
    const server = createServer((req, res) => this.handle(req, res));
    server.keepAliveTimeout = 5_000;
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  private async shut(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const req of this.upstream) req.destroy();
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const call: ProxiedCall = { at: Date.now(), method: req.method ?? 'GET', path: req.url ?? '/', mode: this.modeNow, status: null };
    this.calls.push(call);
    const chunks: Buffer[] = [];
    const keep = (chunk: Buffer) => {
      if (this.options.recordBodies) chunks.push(chunk);
    };
    res.on('finish', () => {
      call.status = res.statusCode;
      if (this.options.recordBodies) call.body = Buffer.concat(chunks).toString('utf8');
    });
    const errorBody = this.options.errorBody ?? defaultErrorBody;
    // The mode the request arrived in decides its answer, whatever a switch does meanwhile.
    const faulted = !this.options.only || this.options.only(call.method, call.path.split('?')[0] ?? call.path);
    const mode: ProxyMode = faulted ? this.modeNow : 'pass';
    call.mode = mode;
    if (mode === 'unavailable' || mode === 'rate-limited') {
      // The request's body is read and thrown away, as an edge does before it answers.
      req.resume();
      req.on('end', () => {
        const limited = mode === 'rate-limited';
        const status = limited ? 429 : 503;
        const body = Buffer.from(JSON.stringify(errorBody(status, limited ? 'Rate limit exceeded.' : 'Service Unavailable')));
        const headers: Record<string, string> = { 'Content-Type': 'application/json;charset=UTF-8', 'Content-Length': String(body.length) };
        const retryAfter = limited ? (this.options.retryAfterSeconds ?? 1) : this.options.unavailableRetryAfterSeconds;
        if (retryAfter !== undefined) headers['Retry-After'] = String(retryAfter);
        keep(body);
        res.writeHead(status, headers).end(body);
      });
      return;
    }
    const headers = { ...req.headers, host: this.target.host };
    const up = httpRequest(
      { protocol: this.target.protocol, hostname: this.target.hostname, port: this.target.port, method: req.method, path: req.url, headers },
      (answer: IncomingMessage) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.on('data', (chunk: Buffer) => {
          keep(chunk);
          res.write(chunk);
        });
        answer.on('end', () => res.end());
        answer.on('error', () => res.destroy());
      },
    );
    this.upstream.add(up);
    up.on('close', () => this.upstream.delete(up));
    // The target went away mid-request (or the hop closed): the client sees its connection break.
    up.on('error', () => res.destroy());
    req.pipe(up);
  }
}
