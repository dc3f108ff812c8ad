import { readFileSync } from 'node:fs';

/** A process identified by pid and kernel start time, so a reused pid is not mistaken for it. */
export interface ProcessIdentity {
  pid: number;
  /** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot). */
  start: string;
}

function readStat(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; fields after it follow the last ')'.
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Returns the identity of a running pid, or undefined when there is no such process. */
export function identify(pid: number): ProcessIdentity | undefined {
  const fields = readStat(pid);
  const start = fields?.[19];
  return start === undefined ? undefined : { pid, start };
}

/** True while the process exists, is not a zombie, and is the same process (start time). */
export function isRunning(process: ProcessIdentity): boolean {
  const fields = readStat(process.pid);
  return fields !== undefined && fields[0] !== 'Z' && fields[0] !== 'X' && fields[19] === process.start;
}

/** The direct children of a process (empty when it has none or is gone). */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Sends a signal, ignoring a process that is already gone. */
export function signalProcess(process: ProcessIdentity, signal: NodeJS.Signals | number): void {
  if (!isRunning(process)) return;
  try {
    globalThis.process.kill(process.pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** Resolves once `done()` is true, polling every `intervalMs`; false when `timeoutMs` passes first. */
export async function pollUntil(done: () => boolean, options: { timeoutMs: number; intervalMs?: number }): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (done()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 25));
  }
}

/** Synchronous variant of pollUntil for process exit handlers, where no event loop runs. */
export function pollUntilSync(done: () => boolean, options: { timeoutMs: number }): boolean {
  const deadline = Date.now() + options.timeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (!done()) {
    if (Date.now() >= deadline) return false;
    Atomics.wait(pause, 0, 0, 10);
  }
  return true;
}

/** "address:port" of every listening IPv4 TCP socket on the machine (one read of /proc/net/tcp). */
export function listeningSockets(): Set<string> {
  const listening = new Set<string>();
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const [, local, , state] = line.trim().split(/\s+/);
    if (state !== '0A' || !local) continue;
    const [hexAddress = '', hexPort = ''] = local.split(':');
    const bytes = (hexAddress.match(/../g) ?? []).map((b) => parseInt(b, 16)).reverse();
    listening.add(`${bytes.join('.')}:${parseInt(hexPort, 16)}`);
  }
  return listening;
}
