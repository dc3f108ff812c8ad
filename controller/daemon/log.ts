/**
 * The daemon's logger (pino): JSON lines when stdout is not a terminal (journald, containers, log
 * shippers), one readable line per event on a terminal. Credentials never appear: Secret values
 * serialise as `***`, and fields named like credentials are redacted as a second guard.
 */
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

/** Keys censored wherever pino finds them (one level deep and at the top). */
const REDACT = ['token', 'apiToken', 'webhookSecret', 'password', 'secret', '*.token', '*.apiToken', '*.webhookSecret', '*.password', '*.secret'];

/** Options of createLogger. */
export interface LoggerOptions {
  level: string;
  /** Where lines go (default process.stdout). */
  stream?: { write(chunk: string): unknown; isTTY?: boolean };
  /** Readable lines instead of JSON (default: the stream is a TTY). */
  pretty?: boolean;
}

/** A pino logger writing JSON lines, or readable lines (see formatLine) on a terminal. */
export function createLogger(options: LoggerOptions): Logger {
  const stream = options.stream ?? process.stdout;
  const pretty = options.pretty ?? stream.isTTY === true;
  const destination: DestinationStream = pretty ? { write: (line: string) => void stream.write(formatLine(line)) } : { write: (line: string) => void stream.write(line) };
  return pino({ level: options.level, base: undefined, redact: { paths: REDACT, censor: '***' } }, destination);
}

const LEVELS: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/**
 * One pino JSON line as a readable line: `HH:MM:SS.mmm LEVEL msg  key=value ...` (strings with
 * spaces quoted, objects as JSON). A line that is not JSON is passed through.
 */
export function formatLine(line: string): string {
  let event: Record<string, unknown>;
  try {
    event = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const { time, level, msg, ...rest } = event;
  const clock = typeof time === 'number' ? new Date(time).toISOString().slice(11, 23) : '';
  const fields = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' ? (/[\s"=]/.test(v) ? JSON.stringify(v) : v) : JSON.stringify(v)}`);
  return `${clock} ${(LEVELS[level as number] ?? String(level)).padEnd(5)} ${String(msg ?? '')}${fields.length ? `  ${fields.join(' ')}` : ''}\n`;
}
