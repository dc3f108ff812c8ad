/**
 * drover's warm drift check, as the controller runs it: the library in this process, the repository
 * loaded once, one kept SSH connection per host (TransportPool), and per check observe + plan of
 * every host (planHosts, no diff texts).
 */
import { loadValidRepository } from '../../manifests/index.js';
import type { DesiredState } from '../../manifests/types.js';
import { connectHost } from '../../controller/reconcile/connect.js';
import { planHosts } from '../../controller/reconcile/hosts.js';
import { resolveSshSettings } from '../../controller/reconcile/ssh-settings.js';
import { TransportPool } from '../../controller/transport/pool.js';
import type { Fleet } from '../fleet/index.js';
import { measure, type Sample } from './measure.js';

/** A warm checker: connections open, repository loaded. Call close() when done. */
export interface WarmChecker {
  /** One drift check of every host; throws unless every host is observed and in sync. */
  check(): Promise<Sample>;
  close(): Promise<void>;
}

/** Loads `repo`, connects to every host of it, and runs one untimed check (so connections and code are warm). */
export async function openWarmChecker(options: { repo: string; fleet: Fleet }): Promise<WarmChecker> {
  const { hosts } = await loadValidRepository(options.repo);
  const ssh = resolveSshSettings({ env: {}, knownHosts: options.fleet.knownHostsFile, identities: [options.fleet.clientKeyFile] });
  const byName = new Map(hosts.map((h) => [h.host.name, h]));
  const pool = new TransportPool({ connect: (name) => connectHost(byName.get(name)!.host, ssh) });
  const once = async (): Promise<void> => assertInSync(hosts, await planHosts({
    hosts, concurrency: hosts.length, withTexts: false, transportFor: (h) => pool.get(h.host.name),
  }));
  try {
    await once();
  } catch (err) {
    await pool.closeAll();
    throw err;
  }
  return {
    check: () => measure(once),
    close: () => pool.closeAll(),
  };
}

function assertInSync(hosts: DesiredState[], results: Awaited<ReturnType<typeof planHosts>>): void {
  const off = results.filter((r) => !('plan' in r) || !r.plan.inSync);
  if (off.length === 0 && results.length === hosts.length) return;
  const why = off.map((r) => ('error' in r ? `${r.host}: ${r.error.message}` : `${r.host}: drift`)).slice(0, 5).join('; ');
  throw new Error(`drover warm drift check: expected every host in sync, got: ${why}`);
}
