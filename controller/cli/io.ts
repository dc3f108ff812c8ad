/**
 * What a CLI command may touch of the outside world: streams and environment.
 * Passed in so commands are testable in-process with captured output.
 */
export interface CliIo {
  stdout: { write(chunk: string): unknown; isTTY?: boolean };
  stderr: { write(chunk: string): unknown; isTTY?: boolean };
  env: Record<string, string | undefined>;
  cwd: string;
  /** Where confirmations are read from; absent or not a TTY means "no one to ask". */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

/** The real process's streams and environment. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), stdin: process.stdin };
}

/** True when colour may be used on this stream: a TTY and no NO_COLOR (https://no-color.org). */
export function useColor(io: CliIo, stream: 'stdout' | 'stderr' = 'stdout'): boolean {
  return Boolean(io[stream].isTTY) && io.env.NO_COLOR === undefined && io.env.TERM !== 'dumb';
}

/** Writes a line to stdout. */
export function println(io: CliIo, line = ''): void {
  io.stdout.write(`${line}\n`);
}

/** Writes a line to stderr. */
export function eprintln(io: CliIo, line = ''): void {
  io.stderr.write(`${line}\n`);
}
