/**
 * The machine the benchmark runs on: installing what it needs from Debian's packages (Ansible,
 * GNU time) when absent, and describing the machine and the versions for the report.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { VERSION } from '../../controller/cli/main.js';

/** Installs `time` (and `ansible` unless `ansible: false`) with apt-get when their commands are missing; throws when that fails. */
export function ensureTools(log: (line: string) => void, options: { ansible?: boolean } = {}): void {
  const wanted = [['time', '/usr/bin/time'], ...(options.ansible === false ? [] : [['ansible', '/usr/bin/ansible-playbook']])];
  const missing = wanted.filter(([, bin]) => !existsSync(bin!)).map(([pkg]) => pkg!);
  if (missing.length === 0) return;
  log(`installing ${missing.join(' ')} (apt-get install -y)`);
  const run = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (run.status !== 0) throw new Error(`apt-get install ${missing.join(' ')} failed:\n${run.stdout}\n${run.stderr}`);
}

function firstLine(command: string, args: string[]): string {
  try {
    const out = execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return out.trim().split('\n')[0] ?? '';
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    return stderr.trim().split('\n')[0] ?? 'unknown';
  }
}

function osName(): string {
  const release = existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : '';
  return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(release)?.[1] ?? 'unknown';
}

/** The 1, 5 and 15 minute load averages (a busy machine makes every figure slower and the CPU times larger). */
export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/** Name: value lines describing the machine and every tool version involved. */
export function describeMachine(): [string, string][] {
  const cpu = cpus();
  const ssh = spawnSync('ssh', ['-V'], { encoding: 'utf8' });
  return [
    ['CPU', `${cpu.length} x ${cpu[0]?.model ?? 'unknown'}`],
    ['memory', `${(totalmem() / 2 ** 30).toFixed(1)} GiB`],
    ['OS', `${osName()}, kernel ${firstLine('uname', ['-r'])}`],
    ['load average at start', loadAverage()],
    ['drover', `${VERSION} (git ${firstLine('git', ['rev-parse', '--short', 'HEAD'])}), Node.js ${process.version}`],
    ['Ansible', `${firstLine('ansible-playbook', ['--version'])}, Debian package ansible ${firstLine('dpkg-query', ['-W', '-f=${Version}', 'ansible'])}`],
    ['Python', firstLine('python3', ['--version'])],
    ['OpenSSH', (ssh.stderr || ssh.stdout).trim()],
  ];
}
