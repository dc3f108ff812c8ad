/**
 * What the benchmark does to fleet hosts outside the tools under test, with the OpenSSH client:
 * the floor (N parallel `ssh HOST true`), resetting hosts to fresh, introducing drift, and checking
 * that the desired state really landed (read from each host's overlay upper dir).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pLimit from 'p-limit';
import type { Fleet, FleetHost } from '../fleet/index.js';
import { BENCH_DIRS, BENCH_FILES, BENCH_ROOT, benchFileContent, DRIFTED_FILE } from './fleet-repo.js';
import { sshRun } from '../support/ssh.js';

/** The floor: every host answers `ssh HOST true` at once (fresh OpenSSH connections). */
export async function sshTrueAll(fleet: Fleet, hosts: FleetHost[]): Promise<void> {
  await Promise.all(hosts.map((h) => sshRun(fleet, h.name, 'true')));
}

async function onEach(fleet: Fleet, hosts: FleetHost[], command: (h: FleetHost) => string): Promise<void> {
  const limit = pLimit(50);
  await Promise.all(hosts.map((h) => limit(() => sshRun(fleet, h.name, command(h)))));
}

/** Makes hosts fresh for a first apply: removes the benchmark tree and everything drover keeps on the host. */
export async function resetHosts(fleet: Fleet, hosts: FleetHost[]): Promise<void> {
  await onEach(fleet, hosts, () => `rm -rf ${BENCH_ROOT} /var/lib/drover`);
  for (const h of hosts) {
    if (existsSync(join(h.rootDir, BENCH_ROOT))) throw new Error(`${h.name}: ${BENCH_ROOT} is still there after the reset`);
  }
}

/** Changes the content of one managed file on every host (the drift that "apply after a change" repairs). */
export async function driftHosts(fleet: Fleet, hosts: FleetHost[]): Promise<void> {
  await onEach(fleet, hosts, (h) => `printf 'drifted on ${h.name}\\n' > ${DRIFTED_FILE}`);
}

/** Asserts that every host holds the full desired state (directories, files with the host's name, the template). */
export function assertConverged(hosts: FleetHost[], who: string): void {
  for (const h of hosts) {
    const root = join(h.rootDir, BENCH_ROOT);
    const dirs = existsSync(root) ? readdirSync(root).filter((d) => /^d\d+$/.test(d)) : [];
    if (dirs.length !== BENCH_DIRS) throw new Error(`${who}: ${h.name} has ${dirs.length} of ${BENCH_DIRS} directories`);
    for (let f = 0; f < BENCH_FILES; f++) {
      const path = join(root, `d${f % BENCH_DIRS}`, `f${f}.txt`);
      const text = existsSync(path) ? readFileSync(path, 'utf8') : '(missing)';
      if (text !== benchFileContent(f, h.name)) throw new Error(`${who}: ${h.name}:${path} holds ${JSON.stringify(text)}`);
    }
    const summary = readFileSync(join(root, 'summary.conf'), 'utf8');
    if (!summary.includes(`host = ${h.name}\n`) || !summary.includes(`address = ${h.address}\n`) || !summary.includes(`dir = ${BENCH_ROOT}/d${BENCH_DIRS - 1}`)) {
      throw new Error(`${who}: ${h.name}: unexpected summary.conf:\n${summary}`);
    }
  }
}

/** Asserts that no host holds any of the benchmark state (checked before a first apply). */
export function assertFresh(hosts: FleetHost[]): void {
  const dirty = hosts.filter((h) => existsSync(join(h.rootDir, BENCH_ROOT)));
  if (dirty.length > 0) throw new Error(`hosts not fresh: ${dirty.map((h) => h.name).join(', ')}`);
}
