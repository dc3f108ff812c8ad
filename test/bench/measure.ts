/**
 * Measuring one benchmark sample: wall time, the machine's CPU time (from /proc/stat, so every
 * process counts: the tool, its ssh clients and the fleet's sshd and shells alike), and for commands
 * run under /usr/bin/time the peak RSS of the measured process.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One measured sample. */
export interface Sample {
  wallMs: number;
  /** Busy CPU time of the whole machine during the sample (all cores), in ms. */
  cpuMs: number;
  /** Peak RSS of the measured process in kB, when it ran under /usr/bin/time. */
  maxRssKb?: number;
}

let clockTicks: number | undefined;

function ticksPerSecond(): number {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return clockTicks;
}

/** Busy (non-idle, non-iowait) jiffies of all CPUs since boot, from the first line of /proc/stat. */
export function busyTicks(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest is already counted in user)
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return user + nice + system + irq + softirq + steal;
}

/** Runs `fn` and returns its wall time and the machine's CPU time meanwhile. */
export async function measure(fn: () => Promise<unknown>): Promise<Sample> {
  const ticks = busyTicks();
  const start = performance.now();
  await fn();
  const wallMs = performance.now() - start;
  return { wallMs, cpuMs: ((busyTicks() - ticks) * 1000) / ticksPerSecond() };
}

/** A command to run and measure. */
export interface CommandSpec {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run under `/usr/bin/time` to learn the process's peak RSS. */
  rss?: boolean;
}

/** What a measured command did. */
export interface CommandResult extends Sample {
  code: number;
  stdout: string;
  stderr: string;
}

/** Spawns the command (stdout and stderr captured in full, as a log would), waits for it, measures it. Never rejects for a non-zero exit. */
export async function runMeasured(spec: CommandSpec): Promise<CommandResult> {
  const rssDir = spec.rss ? mkdtempSync(join(tmpdir(), 'drover-bench-rss-')) : undefined;
  const rssFile = rssDir ? join(rssDir, 'rss') : undefined;
  const [command, args] = rssFile ? ['/usr/bin/time', ['-f', '%M', '-o', rssFile, spec.command, ...spec.args]] : [spec.command, spec.args];
  let out = { code: -1, stdout: '', stderr: '' };
  const sample = await measure(async () => {
    out = await spawnCollect({ command, args, ...(spec.env ? { env: spec.env } : {}), ...(spec.cwd ? { cwd: spec.cwd } : {}) });
  });
  const result: CommandResult = { ...out, ...sample };
  if (rssFile && rssDir) {
    const kb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
    if (Number.isFinite(kb)) result.maxRssKb = kb;
    rmSync(rssDir, { recursive: true, force: true });
  }
  return result;
}

/** Spawns a command (stdin: /dev/null) and collects its output; resolves with the exit code (or -1 when killed by a signal). */
export function spawnCollect(spec: { command: string; args: string[]; env?: NodeJS.ProcessEnv; cwd?: string }): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(spec.command, spec.args, { env: spec.env ?? process.env, cwd: spec.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => stdout.push(b));
    child.stderr.on('data', (b: Buffer) => stderr.push(b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') }));
  });
}
