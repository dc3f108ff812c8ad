/**
 * `drover reconcile` under the repository's rollout policy and maintenance windows, so a rollout can be
 * rehearsed without the controller: hosts outside their windows are held (planned, not applied); the
 * hosts go wave by wave (per lane), each wave's hosts converge and pass their checks (in-sync ones too), and a
 * wave over its failure budget halts the rollout: the hosts of later waves are held. Hosts go after the
 * hosts they are `after:` (host-order.ts); a wave takes a host no earlier than those (orderWaves).
 */
import type { DesiredState } from '../../manifests/types.js';
import {
  assignWaves, hostsByLane, judge, orderWaves, recordResult, startRollout, windowVerdict, windowsOf,
  type AssignedWave, type RolloutProgress,
} from '../rollout/index.js';
import { applyHosts, type HostsOptions } from './hosts.js';
import { converged, heldResult } from './pipeline.js';
import { HostOrder } from './host-order.js';
import type { Session } from './session.js';
import type { HostPlanResult, HostResult } from './types.js';

/** How a lane's rollout went. */
export interface LaneReport {
  lane: string;
  waves: Pick<AssignedWave, 'name' | 'hosts' | 'budget'>[];
  /** Set when a wave went over its budget. */
  halted?: string;
}

/** Options: applyHosts' plus the clock (windows) and a wait (pauses between waves). */
export interface RolloutHostsOptions extends HostsOptions {
  planned: HostPlanResult[];
  /** Every selected host's desired state (groups, windows), planned or not. */
  desired: DesiredState[];
  /** Also run the checks of hosts already in sync (hosts in a wave always do). */
  runTests?: boolean;
  session: Pick<Session, 'policies' | 'members'>;
  now: () => number;
  wait: (ms: number) => Promise<void>;
  /** Apply outside the maintenance windows too. */
  overrideWindow: boolean;
  /** Called as each wave starts. */
  onWave?: (lane: string, wave: AssignedWave, of: number) => void;
}

/**
 * Applies the planned hosts as the policies say. Results are in the order of `planned`; held hosts
 * have `held` set and no `apply`. Never rejects (like applyHosts).
 */
export async function applyWithPolicies(options: RolloutHostsOptions): Promise<{ results: HostResult[]; lanes: LaneReport[] }> {
  const byName = new Map(options.desired.map((d) => [d.host.name, d]));
  const results = new Map<string, HostResult>();
  const toApply: HostPlanResult[] = [];
  // Hosts run after the hosts they are `after:` (in this run); every host of the run is settled once.
  const order = new HostOrder(options.planned.flatMap((p) => byName.get(p.host) ?? []));
  for (const p of options.planned) {
    const held = 'plan' in p && !p.plan.inSync && !options.overrideWindow ? closedWindow(byName.get(p.host), options) : undefined;
    if (held && 'plan' in p) {
      results.set(p.host, heldResult(p, held));
      order.settle(results.get(p.host)!);
    } else toApply.push(p);
  }
  // Without the controller's memory of what each host converged to, every host is in the rollout: one in
  // sync passes its wave only if its checks pass (a canary left broken by an earlier run still halts).
  const lanes = hostsByLane(toApply.map((p) => p.host).map((h) => ({ name: h, groups: byName.get(h)?.host.groups ?? [] })), options.session.policies);
  const inLane = new Set([...lanes.values()].flatMap((l) => l.hosts));
  const free = toApply.filter((p) => !inLane.has(p.host));
  const reports = await Promise.all([
    applyHosts({ ...options, planned: free, order }).then((rs) => { rs.forEach((r) => results.set(r.host, r)); return undefined; }),
    ...[...lanes.entries()].map(([lane, { policy, hosts }]) => {
      const waves = orderWaves(assignWaves({ hosts, policy, members: options.session.members }), (h) => byName.get(h)?.host.after ?? []);
      return rollLane({ lane, waves, planned: toApply, results, options: { ...options, order } });
    }),
  ]);
  return { results: options.planned.map((p) => results.get(p.host)!), lanes: reports.filter((r): r is LaneReport => r !== undefined) };
}

function closedWindow(desired: DesiredState | undefined, options: RolloutHostsOptions): string | undefined {
  if (!desired) return undefined;
  const verdict = windowVerdict(windowsOf(desired.host.groups, options.session.policies), options.now());
  return verdict.open ? undefined : verdict.reason;
}

async function rollLane(args: { lane: string; waves: AssignedWave[]; planned: HostPlanResult[]; results: Map<string, HostResult>; options: RolloutHostsOptions & { order: HostOrder } }): Promise<LaneReport> {
  const { lane, waves, options } = args;
  let progress: RolloutProgress = startRollout({ lane, revision: 'working tree', waves, now: options.now() });
  for (const wave of waves) {
    const wait = progress.releasedAt - options.now();
    if (wait > 0) await options.wait(wait);
    if (progress.halted) break;
    options.onWave?.(lane, wave, waves.length);
    const planned = args.planned.filter((p) => wave.hosts.includes(p.host));
    for (const r of await applyHosts({ ...options, planned, runTests: true })) {
      args.results.set(r.host, r);
      progress = recordResult(progress, r.host, converged(r) ? { ok: true } : { ok: false, reason: failureText(r) }, options.now());
    }
    progress = judge(progress, options.now());
  }
  const inLane = new Set(waves.flatMap((w) => w.hosts));
  for (const p of args.planned) {
    if (!inLane.has(p.host) || args.results.has(p.host)) continue;
    // A later wave of a halted rollout: drifted hosts are held, in-sync ones stay as they are; unplanned ones keep their error.
    if ('error' in p) args.results.set(p.host, p);
    else if (p.plan.inSync) args.results.set(p.host, { host: p.host, address: p.address, outcome: 'in-sync', plan: p.plan, durationMs: 0, phaseDurationsMs: p.phaseDurationsMs });
    else args.results.set(p.host, heldResult(p, `RolloutHalted: ${progress.halted?.reason ?? 'halted'}`));
    options.order.settle(args.results.get(p.host)!);
  }
  return {
    lane, waves: waves.map(({ name, hosts, budget }) => ({ name, hosts, budget })),
    ...(progress.halted ? { halted: progress.halted.reason } : {}),
  };
}

/** Why a host did not pass its wave: the failed step (or check) with its exit code, else the error. */
function failureText(r: HostResult): string {
  const failed = r.error?.code === 'E_ROLLED_BACK' ? undefined : r.apply?.steps.find((s) => s.status === 'failed');
  if (failed) return `${failed.name} failed${failed.exitCode !== undefined ? ` (exit ${failed.exitCode})` : ''}`;
  if (r.error?.code === 'E_NOT_CONVERGED') return 'not converged';
  return r.error ? `${r.error.code}: ${r.error.message.split('\n')[0]}` : 'not converged';
}
