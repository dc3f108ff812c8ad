/**
 * drover's warm drift check, as the controller runs it: the library in this process, the repository
 * loaded once, one kept SSH connection per host (TransportPool), and per check observe + plan of
 * every host (planHosts, no diff texts). With a `build`, that build's compiled modules (its dist/) do
 * the work, so the current build and a baseline are measured alike; without one, this checkout's sources.
 */
import { loadValidRepository } from '../../manifests/index.js';
import type { DesiredState } from '../../manifests/types.js';
import { connectHost } from '../../controller/reconcile/connect.js';
import { planHosts } from '../../controller/reconcile/hosts.js';
import { resolveSshSettings } from '../../controller/reconcile/ssh-settings.js';
import { TransportPool } from '../../controller/transport/pool.js';
import type { Fleet } from '../fleet/index.js';
import { importFrom, type Build } from './builds.js';
import { measure, type Sample } from './measure.js';

/** The library functions the warm check runs, from the sources or from a build's dist/. */
interface Library {
  loadValidRepository: typeof loadValidRepository;
  connectHost: typeof connectHost;
  planHosts: typeof planHosts;
  resolveSshSettings: typeof resolveSshSettings;
  TransportPool: typeof TransportPool;
}

async function libraryOf(build: Build | undefined): Promise<Library> {
  if (!build) return { loadValidRepository, connectHost, planHosts, resolveSshSettings, TransportPool };
  const [m, c, p, s, t] = await Promise.all([
    importFrom<typeof import('../../manifests/index.js')>(build, 'manifests/index.js'),
    importFrom<typeof import('../../controller/reconcile/connect.js')>(build, 'controller/reconcile/connect.js'),
    importFrom<typeof import('../../controller/reconcile/hosts.js')>(build, ['controller/reconcile/hosts.js', 'controller/reconcile/plan-hosts.js']),
    importFrom<typeof import('../../controller/reconcile/ssh-settings.js')>(build, 'controller/reconcile/ssh-settings.js'),
    importFrom<typeof import('../../controller/transport/pool.js')>(build, 'controller/transport/pool.js'),
  ]);
  return { loadValidRepository: m.loadValidRepository, connectHost: c.connectHost, planHosts: p.planHosts, resolveSshSettings: s.resolveSshSettings, TransportPool: t.TransportPool };
}

/** A warm checker: connections open, repository loaded. Call close() when done. */
export interface WarmChecker {
  /** One drift check of every host; throws unless every host is observed and in sync. */
  check(): Promise<Sample>;
  close(): Promise<void>;
}

/** Loads `repo` (with `build`'s modules when given), connects to every host of it, and runs one untimed check (so connections and code are warm). */
export async function openWarmChecker(options: { repo: string; fleet: Fleet; build?: Build }): Promise<WarmChecker> {
  const lib = await libraryOf(options.build);
  const { hosts } = await lib.loadValidRepository(options.repo);
  const ssh = lib.resolveSshSettings({ env: {}, knownHosts: options.fleet.knownHostsFile, identities: [options.fleet.clientKeyFile] });
  const byName = new Map(hosts.map((h) => [h.host.name, h]));
  const pool = new lib.TransportPool({ connect: (name) => lib.connectHost(byName.get(name)!.host, ssh) });
  const once = async (): Promise<void> => assertInSync(hosts, await lib.planHosts({
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
