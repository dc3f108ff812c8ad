import { DroverError, scrubSecrets } from '../../manifests/errors.js';
import type { ApplyResult } from '../apply/types.js';
import { TransportErrorCodes } from '../transport/types.js';
import type { HostFailure } from './types.js';

/**
 * The network did not let us talk to the host. A host that answered but was refused (host key unknown or
 * changed, authentication failed) is not unreachable: it failed, and needs a human, not retries.
 */
const UNREACHABLE = new Set<string>([
  TransportErrorCodes.refused, TransportErrorCodes.timeout, TransportErrorCodes.lost, TransportErrorCodes.unreachable,
]);

/** Turns anything thrown while working on a host into a HostFailure (messages scrubbed of secrets). */
export function toHostFailure(err: unknown): HostFailure {
  if (err instanceof DroverError) {
    return { code: err.code, message: scrubSecrets(err.message), unreachable: UNREACHABLE.has(err.code) };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'E_INTERNAL', message: scrubSecrets(message), unreachable: false };
}

/**
 * A failure once the run was sent to the host. A lost connection then does not make the host unreachable:
 * the run goes on there by itself (detached) and either finishes or restores what it changed. The host
 * failed; a plan shows where it ended.
 */
export function toApplyFailure(err: unknown): HostFailure {
  const error = toHostFailure(err);
  if (error.code !== TransportErrorCodes.lost) return error;
  return {
    ...error, unreachable: false,
    message: `${error.message} during apply; the run goes on on the host by itself and either finishes or restores the files it changed: \`drover plan\` shows where it ended`,
  };
}

/** Why an apply did not succeed, in one line: the first failed step and the last line of its output. */
export function applyFailureSummary(apply: ApplyResult): string {
  const failed = apply.steps.find((s) => s.status === 'failed');
  if (failed === undefined) return apply.notRestored.length > 0 ? `could not restore ${apply.notRestored.join(', ')}` : 'failed';
  const last = (failed.stderr ?? '').trim().split('\n').pop()?.trim();
  const exit = failed.exitCode === undefined ? '' : ` (exit ${failed.exitCode})`;
  return `${failed.name} failed${exit}${last ? `: ${last}` : ''}`;
}
