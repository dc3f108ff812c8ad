/**
 * Wave assignment: which hosts each wave of a rollout takes. Pure and deterministic: the same hosts and
 * policy give the same waves, whatever order the hosts come in.
 */
import type { RolloutPolicy, RolloutWave } from '../../manifests/policies.js';

/** One wave with its hosts (in name order) and failure budget. */
export interface AssignedWave {
  index: number;
  name: string;
  hosts: string[];
  /** Hosts that may fail without halting the rollout. */
  budget: number;
  pauseMs: number;
}

/**
 * Splits `hosts` (those the revision changes, in this lane) into the policy's waves, in order: a group
 * wave takes the group's members still left; percent and count waves take hosts still left in name order
 * (code-point order, so `web10` sorts before `web2`), a percentage rounded up and at least one host.
 * Hosts no wave took form a last wave (named `rest`) with the last declared wave's failure budget.
 * Waves left empty are dropped.
 */
export function assignWaves(args: { hosts: readonly string[]; policy: RolloutPolicy; members: Readonly<Record<string, readonly string[]>> }): AssignedWave[] {
  let left = [...new Set(args.hosts)].sort(byName);
  const out: AssignedWave[] = [];
  const push = (wave: RolloutWave, name: string, hosts: string[]): void => {
    if (hosts.length === 0) return;
    out.push({ index: out.length, name, hosts, budget: failureBudget(wave, hosts.length), pauseMs: wave.pauseMs });
  };
  for (const wave of args.policy.waves) {
    const taken = take(wave, left, args.members);
    left = left.filter((h) => !taken.includes(h));
    push(wave, wave.name, taken);
  }
  const last = args.policy.waves[args.policy.waves.length - 1];
  if (last) push({ ...last, pauseMs: 0 }, 'rest', left);
  return out;
}

function take(wave: RolloutWave, left: readonly string[], members: Readonly<Record<string, readonly string[]>>): string[] {
  if (wave.group !== undefined) {
    const group = new Set(members[wave.group] ?? []);
    return left.filter((h) => group.has(h));
  }
  if (wave.count !== undefined) return left.slice(0, wave.count);
  const percent = wave.percent ?? 100;
  return left.slice(0, Math.max(1, Math.ceil((left.length * percent) / 100)));
}

/** Hosts of a wave of `size` hosts that may fail: maxFailures, else floor(size * maxFailurePercent / 100), else 0. */
export function failureBudget(wave: Pick<RolloutWave, 'maxFailures' | 'maxFailurePercent'>, size: number): number {
  if (wave.maxFailures !== undefined) return wave.maxFailures;
  if (wave.maxFailurePercent !== undefined) return Math.floor((size * wave.maxFailurePercent) / 100);
  return 0;
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
