/**
 * The commands the API and the status page both offer (sync, suspend, resume, resume rollout): the
 * checks before each and the call, in one place. The caller has checked the role (roles.ts); `actor`
 * is the token's name for the event log. Each throws DroverError with a stable code for bad input.
 */
import { DroverError } from '../../../manifests/errors.js';
import type { ControllerApi, HostView } from '../api.js';
import type { RolloutView } from '../rollouts/rollouts.js';

/** Who made a command: the token's name (absent without tokens). */
export interface CommandActor {
  actor?: string;
}

/** What a sync command asks for. */
export interface SyncCommand extends CommandActor {
  hosts?: string[];
  dryRun?: boolean;
  overrideWindow?: boolean;
  /** Clear the hosts' Conflicts and apply those resources again. */
  forceConflict?: boolean;
}

/** Queues a manual sync: E_NOT_READY before a first good revision, E_HOST_UNKNOWN / E_HOST_OTHER_SHARD, E_HOST_SUSPENDED. */
export function syncCommand(api: ControllerApi, command: SyncCommand): { runId: string } {
  requireReady(api);
  const live = api.hosts();
  const wanted = command.hosts;
  if (wanted?.length) {
    const byName = new Map(live.map((h) => [h.host, h]));
    const unknown = [...new Set(wanted)].filter((name) => !byName.has(name));
    if (unknown.length) throw notLive(api, unknown, live);
    const suspended = [...new Set(wanted)].filter((name) => byName.get(name)!.suspended);
    if (suspended.length) {
      throw new DroverError('E_HOST_SUSPENDED', `${suspended.join(', ')} ${suspended.length === 1 ? 'is' : 'are'} suspended; resume first (POST /api/v1/hosts/NAME/resume or drover resume NAME)`);
    }
  }
  return api.sync({
    ...(wanted?.length ? { hosts: wanted } : {}), dryRun: command.dryRun ?? false, trigger: 'manual',
    ...(command.overrideWindow ? { overrideWindow: true } : {}), ...(command.forceConflict ? { forceConflict: true } : {}), ...(command.actor === undefined ? {} : { actor: command.actor }),
  });
}

/** Suspends or resumes a live host; E_NOT_READY, E_HOST_UNKNOWN / E_HOST_OTHER_SHARD, E_SUSPENDED_BY_CONFIG (resume). */
export async function hostCommand(api: ControllerApi, verb: 'suspend' | 'resume', host: string, actor: CommandActor): Promise<HostView> {
  requireReady(api);
  const live = api.hosts();
  if (!live.some((h) => h.host === host)) throw notLive(api, [host], live);
  return api[verb](host, actor);
}

/** Resumes halted rollouts (one lane, default all); E_ROLLOUT_NOT_HALTED when none is. Works before a first fetch. */
export function resumeRolloutCommand(api: ControllerApi, request: { lane?: string } & CommandActor): RolloutView[] {
  return api.resumeRollout(request);
}

/** Before a first good revision no host is known: say that rather than "unknown host". */
function requireReady(api: ControllerApi): void {
  if (!api.status().ready) throw new DroverError('E_NOT_READY', 'no valid revision loaded yet; try again once the first fetch has succeeded (GET /readyz)');
}

/** Hosts this replica does not reconcile: E_HOST_OTHER_SHARD (421) naming the owner when another replica does, else unknown. */
function notLive(api: ControllerApi, names: string[], live: HostView[]): Error {
  for (const name of names) api.host(name);
  return unknownHosts(names, live);
}

/** E_HOST_UNKNOWN naming the hosts and some known ones. */
export function unknownHosts(names: string[], live: HostView[]): DroverError {
  const known = live.map((h) => h.host);
  const list = names.map((n) => JSON.stringify(n)).join(', ');
  const hint = known.length ? `known hosts: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', ...' : ''}` : 'no hosts are known yet';
  return new DroverError('E_HOST_UNKNOWN', `unknown host${names.length === 1 ? '' : 's'} ${list} (${hint})`);
}
