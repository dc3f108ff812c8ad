import { DroverError, scrubSecrets } from '../../manifests/errors.js';
import { TransportErrorCodes } from '../transport/types.js';
import type { HostFailure } from './types.js';

const UNREACHABLE = new Set<string>([
  TransportErrorCodes.refused, TransportErrorCodes.timeout, TransportErrorCodes.auth, TransportErrorCodes.hostKeyUnknown,
  TransportErrorCodes.hostKeyMismatch, TransportErrorCodes.lost, TransportErrorCodes.unreachable,
]);

/** Turns anything thrown while working on a host into a HostFailure (messages scrubbed of secrets). */
export function toHostFailure(err: unknown): HostFailure {
  if (err instanceof DroverError) {
    return { code: err.code, message: scrubSecrets(err.message), unreachable: UNREACHABLE.has(err.code) };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'E_INTERNAL', message: scrubSecrets(message), unreachable: false };
}
