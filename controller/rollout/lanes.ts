/**
 * Which rollout and which windows apply to a host: a group's own policy replaces drover.yaml's for its
 * members; when a host is in several such groups, the last in merge order wins (like every group setting).
 */
import type { RepositoryPolicies, RolloutPolicy, WindowSpec } from '../../manifests/policies.js';

/** The rollout that governs a host with these groups (merge order), or undefined when none is declared. */
export function rolloutOf(groups: readonly string[], policies: RepositoryPolicies): RolloutPolicy | undefined {
  for (const group of [...groups].reverse()) {
    const own = policies.groupRollouts[group];
    if (own) return own;
  }
  return policies.rollout;
}

/** The maintenance windows of a host with these groups (empty: always open). */
export function windowsOf(groups: readonly string[], policies: RepositoryPolicies): WindowSpec[] {
  for (const group of [...groups].reverse()) {
    const own = policies.groupWindows[group];
    if (own) return own;
  }
  return policies.windows;
}

/** Hosts by lane (`default` or a group name); hosts without any rollout are in none. */
export function hostsByLane(hosts: readonly { name: string; groups: readonly string[] }[], policies: RepositoryPolicies): Map<string, { policy: RolloutPolicy; hosts: string[] }> {
  const lanes = new Map<string, { policy: RolloutPolicy; hosts: string[] }>();
  for (const host of hosts) {
    const policy = rolloutOf(host.groups, policies);
    if (!policy) continue;
    const lane = lanes.get(policy.lane) ?? { policy, hosts: [] };
    lane.hosts.push(host.name);
    lanes.set(policy.lane, lane);
  }
  return lanes;
}
