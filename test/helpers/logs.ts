import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/logging/logger';

/** A debug-level JSON logger whose every line is kept, parsed, for assertions. */
export function captureLogs(): { lines: Array<Record<string, unknown>>; logger: Logger } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'debug', format: 'json', stream }) };
}
