/**
 * Turns ssh2, net and child_process failures into typed DroverErrors (codes in types.ts),
 * each naming the host and a one-line reason.
 */
import { constants } from 'node:os';
import { DroverError, type ErrorCode } from '../../manifests/errors.js';
import { TransportErrorCodes as C } from './types.js';

/** An error as ssh2 and net emit them: `level` from ssh2, `code` from the socket layer. */
export interface LowLevelError extends Error {
  level?: string;
  code?: string;
}

/** Builds a transport DroverError for `host` with the given code and reason (its kind is the registry's). */
export function transportError(options: {
  host: string;
  code: ErrorCode;
  reason: string;
  cause?: unknown;
}): DroverError {
  return new DroverError(options.code, `${options.host}: ${options.reason}`, {
    host: options.host,
    cause: options.cause,
  });
}

const SOCKET_CODES: Record<string, { code: ErrorCode; reason: string }> = {
  ECONNREFUSED: { code: C.refused, reason: 'connection refused' },
  ETIMEDOUT: { code: C.timeout, reason: 'connect timed out' },
  EHOSTUNREACH: { code: C.unreachable, reason: 'host unreachable' },
  ENETUNREACH: { code: C.unreachable, reason: 'network unreachable' },
  ENOTFOUND: { code: C.unreachable, reason: 'name does not resolve' },
  EAI_AGAIN: { code: C.unreachable, reason: 'name resolution failed (temporary)' },
};

/**
 * Maps an error seen while connecting (before the session is ready) to a DroverError:
 * socket codes first, then ssh2's `level` (client-authentication -> E_AUTH naming the credentials `tried`, handshake/protocol ->
 * E_SSH_PROTOCOL); anything else is E_CONNECTION_LOST (transient).
 */
export function mapConnectError(host: string, err: LowLevelError, target: string, tried: readonly string[] = []): DroverError {
  const socket = err.code ? SOCKET_CODES[err.code] : undefined;
  if (socket) return transportError({ host, ...socket, reason: `${socket.reason} (${target})`, cause: err });
  if (err.level === 'client-authentication') {
    const what = tried.length > 0 ? `; tried ${tried.join(', ')}: authorise one of them for this user on the host` : '';
    return transportError({ host, code: C.auth, reason: `all authentication methods failed (${target})${what}`, cause: err });
  }
  if (err.level === 'client-timeout') {
    return transportError({ host, code: C.timeout, reason: `connect timed out (${target})`, cause: err });
  }
  if (err.level === 'handshake' || err.level === 'protocol') {
    return transportError({ host, code: C.protocol, reason: `SSH handshake failed (${target}): ${err.message}`, cause: err });
  }
  return lostError(host, err);
}

/** E_CONNECTION_LOST (transient) for `host`, keeping the low-level message as the reason. */
export function lostError(host: string, err?: Error): DroverError {
  const why = err ? `: ${err.message}` : '';
  return transportError({ host, code: C.lost, reason: `connection lost${why}`, cause: err });
}

/** E_COMMAND_TIMEOUT (transient): the command ran past its timeout and was killed. */
export function commandTimeoutError(host: string, timeoutMs: number): DroverError {
  return transportError({ host, code: C.commandTimeout, reason: `command timed out after ${timeoutMs} ms and was killed` });
}

/** E_CANCELLED (stalled: retrying would not help, the caller asked to stop). */
export function cancelledError(host: string): DroverError {
  return transportError({ host, code: C.cancelled, reason: 'command cancelled' });
}

/** Exit status for a process killed by `signal` (name with or without SIG): 128 + number, or -1. */
export function signalExitCode(signal: string | null | undefined): number {
  if (!signal) return -1;
  const name = (signal.startsWith('SIG') ? signal : `SIG${signal}`) as keyof typeof constants.signals;
  const number = constants.signals[name];
  return typeof number === 'number' ? 128 + number : -1;
}
