import winston from 'winston';
import { secrets, SecretRegistry } from './redact';

export type Logger = winston.Logger;
export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  level?: string;
  format?: LogFormat;
  registry?: SecretRegistry;
  /** Where lines go; defaults to stdout. Tests pass a stream to read what was logged. */
  stream?: NodeJS.WritableStream;
}

const redactFormat = (registry: SecretRegistry) =>
  winston.format((info) => {
    const symbols = Object.getOwnPropertySymbols(info);
    const cleaned = registry.redact({ ...info }) as Record<string, unknown>;
    const out = cleaned as winston.Logform.TransformableInfo;
    // winston keeps its level/message bookkeeping under symbols; carry them over untouched
    // except the pre-rendered message, which must be masked too.
    for (const sym of symbols) {
      const v = (info as unknown as Record<symbol, unknown>)[sym];
      (out as unknown as Record<symbol, unknown>)[sym] = typeof v === 'string' ? registry.maskString(v) : v;
    }
    return out;
  })();

export function createLogger(options: LoggerOptions = {}): Logger {
  const registry = options.registry ?? secrets;
  const level = options.level ?? 'info';
  const format = options.format ?? (process.env.NODE_ENV === 'production' ? 'json' : 'pretty');
  const base = [winston.format.errors({ stack: false }), winston.format.timestamp(), redactFormat(registry)];
  const render =
    format === 'json'
      ? winston.format.json()
      : winston.format.printf((info) => {
          const { timestamp, level: lvl, message, ...rest } = info;
          const ctx = Object.entries(rest)
            .filter(([k]) => typeof k === 'string')
            .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
            .join(' ');
          return `${String(timestamp)} ${lvl.padEnd(5)} ${String(message)}${ctx ? ` ${ctx}` : ''}`;
        });
  const transport = options.stream
    ? new winston.transports.Stream({ stream: options.stream })
    : new winston.transports.Console({ stderrLevels: [] });
  return winston.createLogger({
    level: level === 'silent' ? 'error' : level,
    silent: level === 'silent',
    format: winston.format.combine(...base, render),
    transports: [transport],
  });
}

/** A logger that writes nothing, for pure helpers called without one. */
export const silentLogger: Logger = createLogger({ level: 'silent' });
