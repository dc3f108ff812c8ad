/**
 * Writes the benchmark's desired state (SPEC §9) for a fleet: per host 5 directories, 30 small
 * files whose content names the host, and 1 template (host name, address, a loop over the directories).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Fleet } from '../fleet/index.js';

export interface BenchStateOptions {
  dirs?: number;
  files?: number;
}

/** Writes a manifest repository for `fleet` into `dir` (a role `bench` applied to every host). */
export async function writeBenchRepository(dir: string, fleet: Pick<Fleet, 'hosts'>, options: BenchStateOptions = {}): Promise<void> {
  const dirs = options.dirs ?? 5;
  const files = options.files ?? 30;
  await mkdir(join(dir, 'hosts'), { recursive: true });
  await mkdir(join(dir, 'roles'), { recursive: true });
  await mkdir(join(dir, 'templates/bench/default'), { recursive: true });
  await writeFile(join(dir, 'drover.yaml'), 'defaults:\n  user: root\nsettings:\n  concurrency: 200\n');
  const resources: string[] = [];
  for (let d = 0; d < dirs; d++) resources.push(`  - { kind: directory, path: /srv/bench/d${d}, mode: "0755" }`);
  for (let f = 0; f < files; f++) {
    resources.push(`  - { kind: file, path: /srv/bench/d${f % dirs}/f${f}.txt, mode: "0644", content: "file ${f} of {{ host.name }}\\n" }`);
  }
  resources.push('  - { kind: file, path: /srv/bench/summary.conf, mode: "0644", template: summary.conf }');
  await writeFile(join(dir, 'roles/bench.yaml'), `resources:\n${resources.join('\n')}\n`);
  await writeFile(join(dir, 'templates/bench/default/summary.conf'),
    `host = {{ host.name }}\naddress = {{ host.address }}\n{% for d in dirs %}dir = /srv/bench/{{ d }}\n{% endfor %}`);
  const dirNames = Array.from({ length: dirs }, (_, d) => `d${d}`);
  await Promise.all(fleet.hosts.map((h) => writeFile(join(dir, 'hosts', `${h.name}.yaml`),
    `address: ${h.address}\nport: ${h.port}\nroles: [bench]\ndata:\n  dirs: ${JSON.stringify(dirNames)}\n`)));
}
