/**
 * observeHost: gathers every fact a host's resources need in one transport round trip.
 */
import { createHash, randomBytes } from 'node:crypto';
import { DroverError, scrubSecrets } from '../../manifests/errors.js';
import type { DesiredState } from '../../manifests/types.js';
import type { Transport } from '../transport/types.js';
import { inventoryPath } from './drover-state.js';
import { parseProbeOutput } from './parse.js';
import { buildProbe } from './probe.js';
import type { ObservedState } from './types.js';

/** Options of observeHost. */
export interface ObserveOptions {
  /** Deadline for the probe run (transport rejects with E_COMMAND_TIMEOUT); default 120 s. */
  timeoutMs?: number;
  /** Cancels the probe (transport rejects with E_CANCELLED). */
  signal?: AbortSignal;
  /** Cap on each `unless` / `onlyIf` guard, in seconds; default 30. */
  guardTimeoutSec?: number;
}

const MAX_STDERR = 2000;

function probeFailed(host: string, code: number, stderr: Buffer): DroverError {
  const text = scrubSecrets(stderr.toString('utf8').trim()).slice(-MAX_STDERR) || '(no stderr)';
  // sudo refusing (a password asked, the user not allowed) needs a human; anything else may pass on a retry.
  const sudo = /\bsudo\b/.test(text);
  return new DroverError(sudo ? 'E_PROBE_SUDO' : 'E_PROBE_FAILED', `${host}: probe exited with status ${code}: ${text}`, { host });
}

/** A probe for a host: the sh script and the token its output is framed with. */
export interface HostProbe {
  token: string;
  script: string;
}

/** The probe of every fact `desired`'s resources need (pure but for the random token). */
export function hostProbe(desired: DesiredState, options: Pick<ObserveOptions, 'guardTimeoutSec'> = {}): HostProbe {
  const token = `drover${randomBytes(12).toString('hex')}`;
  return { token, script: probeScript(desired, token, options) };
}

/** A fixed token, for comparing probes (observationScope) and nothing else. */
const SCOPE_TOKEN = 'droverscope00000000000000';

/**
 * What an observation of `desired` covers, as a key: two desired states with the same scope reach the
 * host the same way (address, port, user, sudo) and are observed by the same probe (the same facts,
 * read the same way, under the same resource ids), so an observation made for one serves the other. A
 * change of file content keeps the scope; a resource added, removed or moved, a guard (`unless`,
 * `onlyIf`) changed, or the host reached otherwise, does not. Pure.
 */
export function observationScope(desired: DesiredState, options: Pick<ObserveOptions, 'guardTimeoutSec'> = {}): string {
  // Whom the probe reaches counts too: another address, port, user or sudo may be another machine or view.
  const { address, port, user, sudo } = desired.host;
  return createHash('sha256').update(JSON.stringify([address, port, user, sudo])).update('\0')
    .update(probeScript(desired, SCOPE_TOKEN, options)).update('\0').update(desired.resources.map((r) => r.id).join('\n')).digest('hex');
}

function probeScript(desired: DesiredState, token: string, options: Pick<ObserveOptions, 'guardTimeoutSec'>): string {
  return buildProbe(desired.resources, {
    token, guardTimeoutSec: options.guardTimeoutSec, droverState: true, inventoryPath: inventoryPath(desired.settings.repository),
  });
}

/**
 * The ObservedState in a probe's output (from observeHost, or run at the end of an apply).
 * Throws E_PROBE_OUTPUT (internal) when the output cannot be parsed.
 */
export function parseObservation(desired: DesiredState, probe: HostProbe, stdout: string): ObservedState {
  const host = desired.host.name;
  try {
    const facts = parseProbeOutput(stdout, { token: probe.token, resources: desired.resources });
    const observed: ObservedState = { host, platform: facts.platform, resources: facts.resources, observedAt: new Date().toISOString() };
    if (facts.pending !== undefined) observed.pending = facts.pending;
    if (facts.inventory !== undefined) observed.inventory = facts.inventory;
    if (facts.undone !== undefined) observed.undone = facts.undone;
    if (facts.boot !== undefined) observed.boot = facts.boot;
    return observed;
  } catch (error) {
    if (!(error instanceof DroverError)) throw error;
    throw new DroverError(error.code, `${host}: ${error.message}`, { host, cause: error });
  }
}

/**
 * Runs one probe for `desired` through `transport` (exactly one `run()`: `sh -s` with the script on
 * stdin; the transport adds sudo where the host needs it) and returns the ObservedState.
 * Throws: transport errors unchanged; E_PROBE_FAILED when the probe exits non-zero (stderr in the
 * message; E_PROBE_SUDO when sudo refused); E_PROBE_OUTPUT (internal) when the output cannot be
 * parsed. Never retries.
 */
export async function observeHost(desired: DesiredState, transport: Transport, options: ObserveOptions = {}): Promise<ObservedState> {
  const probe = hostProbe(desired, options);
  const result = await transport.run('sh -s', {
    stdin: probe.script,
    timeoutMs: options.timeoutMs ?? 120_000,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (result.code !== 0) throw probeFailed(desired.host.name, result.code, result.stderr);
  return parseObservation(desired, probe, result.stdout.toString('utf8'));
}
