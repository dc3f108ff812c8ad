/**
 * Ansible's side of the benchmark: a project (inventory, ansible.cfg with Ansible's best settings,
 * playbook, template) holding the same desired state as fleet-repo.ts, a runner that measures one
 * `ansible-playbook` and reads its PLAY RECAP, and closing the ControlPersist masters so a "cold"
 * run starts without connections, as drover's CLI does.
 */
import { readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Fleet, FleetHost } from '../fleet/index.js';
import { BENCH_DIR_NAMES, BENCH_DIRS, BENCH_FILES, BENCH_ROOT, summaryTemplate } from './fleet-repo.js';
import { runMeasured, spawnCollect, type CommandResult } from './measure.js';

/** A written Ansible project for some fleet hosts. */
export interface AnsibleProject {
  dir: string;
  hosts: FleetHost[];
  controlDir: string;
  env: NodeJS.ProcessEnv;
}

/** ansible.cfg: Ansible's best settings for this benchmark (forks = hosts, pipelining, ControlPersist, no facts). */
export function ansibleCfg(options: { forks: number; fleet: Pick<Fleet, 'knownHostsFile' | 'clientKeyFile'>; controlDir: string }): string {
  const common = `-o UserKnownHostsFile=${options.fleet.knownHostsFile} -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o IdentityFile=${options.fleet.clientKeyFile} -o IdentitiesOnly=yes`;
  return [
    '[defaults]',
    'inventory = inventory.yml',
    `forks = ${options.forks}`,
    'gathering = explicit',
    'host_key_checking = True',
    'interpreter_python = /usr/bin/python3',
    'retry_files_enabled = False',
    'deprecation_warnings = False',
    '',
    '[ssh_connection]',
    'pipelining = True',
    // Ansible's default ssh_args plus nothing else: no -C, compression only costs CPU on loopback.
    'ssh_args = -o ControlMaster=auto -o ControlPersist=60s',
    `ssh_common_args = ${common}`,
    `control_path_dir = ${options.controlDir}`,
    'control_path = %(directory)s/%%h-%%p-%%r',
    '',
  ].join('\n');
}

function inventory(hosts: FleetHost[]): string {
  const lines = ['bench:', '  hosts:'];
  for (const h of hosts) lines.push(`    ${h.name}: { ansible_host: ${h.address}, ansible_port: ${h.port}, ansible_user: root }`);
  lines.push('  vars:', `    dirs: ${JSON.stringify(BENCH_DIR_NAMES)}`);
  return `${lines.join('\n')}\n`;
}

/** site.yml: the desired state as a playbook (loops over the directories and the small files, one template). */
export function playbook(): string {
  return [
    '- hosts: bench',
    '  gather_facts: false',
    '  tasks:',
    '    - name: directories',
    `      ansible.builtin.file: { path: "${BENCH_ROOT}/{{ item }}", state: directory, mode: "0755" }`,
    '      loop: "{{ dirs }}"',
    '    - name: files',
    `      ansible.builtin.copy: { dest: "${BENCH_ROOT}/d{{ item % ${BENCH_DIRS} }}/f{{ item }}.txt", content: "file {{ item }} of {{ inventory_hostname }}\\n", mode: "0644" }`,
    `      loop: "{{ range(${BENCH_FILES}) | list }}"`,
    '    - name: summary',
    `      ansible.builtin.template: { src: summary.conf.j2, dest: "${BENCH_ROOT}/summary.conf", mode: "0644" }`,
    '',
  ].join('\n');
}

/** Writes the project into `dir`; forks = number of hosts. */
export async function writeAnsibleProject(dir: string, fleet: Fleet, hosts: FleetHost[]): Promise<AnsibleProject> {
  const controlDir = join(dir, 'cp');
  await mkdir(controlDir, { recursive: true });
  await writeFile(join(dir, 'ansible.cfg'), ansibleCfg({ forks: hosts.length, fleet, controlDir }));
  await writeFile(join(dir, 'inventory.yml'), inventory(hosts));
  await writeFile(join(dir, 'site.yml'), playbook());
  await writeFile(join(dir, 'summary.conf.j2'), summaryTemplate({ host: 'inventory_hostname', address: 'ansible_host' }));
  const env = { ...process.env, ANSIBLE_CONFIG: join(dir, 'ansible.cfg'), ANSIBLE_NOCOLOR: '1', ANSIBLE_FORCE_COLOR: '0' };
  return { dir, hosts, controlDir, env };
}

/** The PLAY RECAP of one host. */
export interface RecapLine {
  ok: number;
  changed: number;
  unreachable: number;
  failed: number;
}

/** Reads `host : ok=N changed=N unreachable=N failed=N ...` lines of ansible-playbook's output. */
export function parseRecap(stdout: string): Map<string, RecapLine> {
  const recap = new Map<string, RecapLine>();
  const at = stdout.lastIndexOf('PLAY RECAP');
  for (const line of stdout.slice(Math.max(0, at)).split('\n')) {
    const m = /^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/.exec(line);
    if (m) recap.set(m[1]!, { ok: Number(m[2]), changed: Number(m[3]), unreachable: Number(m[4]), failed: Number(m[5]) });
  }
  return recap;
}

/** Runs `ansible-playbook site.yml ARGS` in the project, measured. */
export function runPlaybook(project: AnsibleProject, args: string[]): Promise<CommandResult> {
  return runMeasured({ command: 'ansible-playbook', args: ['site.yml', ...args], cwd: project.dir, env: project.env });
}

/**
 * Asserts that every host of the run reports exactly `changed` changed tasks and no failure; throws
 * with the tail of Ansible's output otherwise (so a broken setup cannot pass as a fast one).
 */
export function assertRecap(project: AnsibleProject, result: CommandResult, options: { changed: number; what: string }): void {
  const recap = parseRecap(result.stdout);
  const bad = project.hosts.filter((h) => {
    const r = recap.get(h.name);
    return !r || r.failed > 0 || r.unreachable > 0 || r.changed !== options.changed;
  });
  if (result.code === 0 && bad.length === 0) return;
  const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-30).join('\n');
  throw new Error(`ansible ${options.what}: expected changed=${options.changed} on every host, exit ${result.code}; hosts off: ${bad.map((h) => h.name).join(', ') || '(none)'}\n${tail}`);
}

/** Ends every ControlPersist master of the project (`ssh -O exit`), so the next run connects afresh. */
export async function closeControlMasters(project: AnsibleProject): Promise<void> {
  const sockets = readdirSync(project.controlDir);
  await Promise.all(sockets.map((s) => spawnCollect({ command: 'ssh', args: ['-o', `ControlPath=${join(project.controlDir, s)}`, '-O', 'exit', 'bench'] })));
  const left = readdirSync(project.controlDir);
  if (left.length > 0) throw new Error(`ansible control masters still running: ${left.join(', ')}`);
}
