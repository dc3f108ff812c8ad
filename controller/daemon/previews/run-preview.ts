/**
 * One preview's work, after its ref was fetched: judge the revision as the gate does (its snapshot is
 * removed once loaded), then observe and plan every host of this replica's shard with the revision's
 * desired states (previewHosts: never an apply), compared with the newest good revision. Hosts are
 * reached over the daemon's warm connections without taking their queue slot (a plan-only observation
 * is read-only, so it may run beside a reconcile); a host whose connection fields differ at the
 * previewed revision, or that the fleet does not know, gets a connection of its own, closed after.
 * Nothing here writes a host record or touches a host's status.
 */
import { formatProblem } from '../../../manifests/errors.js';
import type { DesiredState, HostInfo } from '../../../manifests/types.js';
import type { ObservedState } from '../../reconcile/types.js';
import type { ManifestValidator } from '../../../manifests/validate.js';
import type { AgeIdentity } from '../../config/types.js';
import { previewHosts, type PreviewLease } from '../../reconcile/preview/host-preview.js';
import { createHostPool, type HostPoolOptions } from '../../reconcile/session.js';
import type { SshSettings } from '../../reconcile/ssh-settings.js';
import type { PreviewRevision } from '../../source/index.js';
import type { DaemonContext } from '../context.js';
import { inShard, type FleetRevision, type Shard } from '../revisions/fleet.js';
import { validateRevision } from '../revisions/validate-revision.js';
import type { PreviewView } from './types.js';

/** What a preview run needs besides the controller's context. */
export interface PreviewRunDeps {
  ctx: DaemonContext;
  validator: ManifestValidator;
  ageIdentity?: AgeIdentity;
  ssh: SshSettings;
  connect?: HostPoolOptions['connect'];
  shard?: Shard;
  /** Hosts observed at once. */
  hostConcurrency: number;
}

/** What a finished preview adds to its record, and where its time went (ms, for the log). */
export type PreviewOutcome = Pick<PreviewView, 'validation' | 'hosts'> & { timings: { validateMs: number; hostsMs?: number } };

/**
 * Judges `revision` and, when valid, previews its hosts against `fleet` (the newest good revision when
 * the preview started; undefined before there is one: every host counts as new). Removes the
 * revision's snapshot. Rejects only with the signal's reason when it was aborted before the hosts were
 * planned (a host whose observation it stops is `failed`); hosts never make it reject.
 */
export async function runPreview(deps: PreviewRunDeps, revision: PreviewRevision, fleet: FleetRevision | undefined, signal: AbortSignal): Promise<PreviewOutcome> {
  const started = performance.now();
  const gate = await validateRevision(revision, deps.validator, deps.ageIdentity).finally(() => revision.remove());
  const validateMs = Math.round(performance.now() - started);
  if (!gate.accepted) return { validation: { valid: false, problems: gate.problems.map(formatProblem) }, hosts: [], timings: { validateMs } };
  signal.throwIfAborted();
  const hosts = gate.hosts.filter((h) => inShard(h.host.name, deps.shard));
  const own = new Map(hosts.map((h) => [h.host.name, h.host]));
  const extra = createHostPool({ ssh: deps.ssh, lookup: (name) => own.get(name), ...(deps.connect ? { connect: deps.connect } : {}) });
  const lease = (desired: DesiredState): PreviewLease => {
    const known = fleet?.hosts.get(desired.host.name)?.host;
    if (known && sameConnection(known, desired.host)) return deps.ctx.connections.lease(desired.host.name);
    return { transport: () => extra.get(desired.host.name), release: () => undefined };
  };
  // The controller's fresh observations serve hosts whose probe the revision leaves as it was; each
  // host's own observation is kept in turn (from when its preview began: see observations.ts).
  const began = new Map<string, number>();
  const observations = deps.ctx.observations;
  const observed = (desired: DesiredState): ObservedState | undefined => {
    began.set(desired.host.name, deps.ctx.clock.now());
    return observations?.fresh(desired.host.name, desired);
  };
  const onObserved = (desired: DesiredState, found: ObservedState): void => {
    observations?.record(desired.host.name, desired, found, began.get(desired.host.name) ?? -Infinity);
  };
  try {
    const previews = await previewHosts({ hosts, ...(fleet ? { base: fleet.hosts } : {}), lease, concurrency: deps.hostConcurrency, signal, observed, onObserved });
    return { validation: { valid: true, problems: [] }, hosts: previews, timings: { validateMs, hostsMs: Math.round(performance.now() - started) - validateMs } };
  } finally {
    await extra.closeAll();
  }
}

/** True when a pooled connection made for `a` serves `b` as well. */
function sameConnection(a: HostInfo, b: HostInfo): boolean {
  return a.address === b.address && a.port === b.port && a.user === b.user && a.sudo === b.sudo;
}
