/**
 * The benchmark's desired state (per host: 5 directories, 30 small files, 1 template), written for drover as a manifest repository: per host
 * 5 directories, 30 small files whose content names the host, and 1 template (host name, address,
 * a loop over the directories). ansible.ts writes the same state as a playbook.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FleetHost } from '../fleet/index.js';

/** Directories per host. */
export const BENCH_DIRS = 5;
/** Small files per host. */
export const BENCH_FILES = 30;
/** Where the state lives on each host. */
export const BENCH_ROOT = '/srv/bench';
/** The file whose content the "apply after a change" scenario alters on every host. */
export const DRIFTED_FILE = `${BENCH_ROOT}/d0/f0.txt`;

/** Names of the benchmark directories (`d0`...). */
export const BENCH_DIR_NAMES = Array.from({ length: BENCH_DIRS }, (_, d) => `d${d}`);

/** The content of small file `f` on host `host`, as both tools write it. */
export function benchFileContent(f: number, host: string): string {
  return `file ${f} of ${host}\n`;
}

/** The template both tools render (nunjucks and Jinja2 read it alike); `address` is the tool's variable for the host address. */
export function summaryTemplate(vars: { host: string; address: string }): string {
  return `host = {{ ${vars.host} }}\naddress = {{ ${vars.address} }}\n{% for d in dirs %}dir = ${BENCH_ROOT}/{{ d }}\n{% endfor %}`;
}

/** roles/bench.yaml: the desired state of one host as a drover role. */
export function benchRoleYaml(): string {
  const resources: string[] = [];
  for (const d of BENCH_DIR_NAMES) resources.push(`  - { kind: directory, path: ${BENCH_ROOT}/${d}, mode: "0755" }`);
  for (let f = 0; f < BENCH_FILES; f++) {
    const content = JSON.stringify(benchFileContent(f, '{{ host.name }}'));
    resources.push(`  - { kind: file, path: ${BENCH_ROOT}/d${f % BENCH_DIRS}/f${f}.txt, mode: "0644", content: ${content} }`);
  }
  resources.push(`  - { kind: file, path: ${BENCH_ROOT}/summary.conf, mode: "0644", template: summary.conf }`);
  return `resources:\n${resources.join('\n')}\n`;
}

/**
 * Writes a drover manifest repository for `hosts` into `dir` (a role `bench` applied to every host,
 * concurrency = number of hosts, like Ansible's forks).
 */
export async function writeBenchRepository(dir: string, fleet: { hosts: FleetHost[] }, settings: { confirmWithin?: string } = {}): Promise<void> {
  await mkdir(join(dir, 'hosts'), { recursive: true });
  await mkdir(join(dir, 'roles'), { recursive: true });
  await mkdir(join(dir, 'templates/bench/default'), { recursive: true });
  await writeFile(join(dir, 'drover.yaml'), `defaults:\n  user: root\nsettings:\n  concurrency: ${Math.max(1, fleet.hosts.length)}\n${settings.confirmWithin ? `  confirmWithin: ${settings.confirmWithin}\n` : ''}`);
  await writeFile(join(dir, 'roles/bench.yaml'), benchRoleYaml());
  await writeFile(join(dir, 'templates/bench/default/summary.conf'), summaryTemplate({ host: 'host.name', address: 'host.address' }));
  await Promise.all(fleet.hosts.map((h) => writeFile(join(dir, 'hosts', `${h.name}.yaml`),
    `address: ${h.address}\nport: ${h.port}\nroles: [bench]\ndata:\n  dirs: ${JSON.stringify(BENCH_DIR_NAMES)}\n`)));
}
