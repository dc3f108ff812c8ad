/**
 * The scale benchmark's second half: a real `drover controller` process (bin/drover.js -> dist, no
 * tsx, with the NODE_OPTIONS it is deployed with: deployed-env.ts) on the same hosts, whose state says
 * they were last checked minutes ago, so its drift loop checks all of them at once when it starts (cold connections). Measured from /proc: RSS after that
 * sweep and its peak, and CPU while idle afterwards.
 */
import { spawn } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from '../integration/cli/run-cli.js';
import { deployedEnv } from './deployed-env.js';

/** What the process showed. */
export interface ProcessFigures {
  sweepMs: number;
  rssKb: number;
  peakKb: number;
  idleCpuPercent: number;
}

const sleep = (msec: number): Promise<void> => new Promise((r) => setTimeout(r, msec));
const TICKS_PER_S = 100;

async function procStatus(pid: number): Promise<{ rssKb: number; peakKb: number; cpuTicks: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  // utime and stime: fields 14 and 15 of /proc/PID/stat (after the parenthesised command name).
  const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return { rssKb: field('VmRSS'), peakKb: field('VmHWM'), cpuTicks: Number(stat[11]) + Number(stat[12]) };
}

/** Hosts whose record says a run was attempted at or after `since` (epoch ms). */
async function attemptedSince(stateDir: string, since: number): Promise<number> {
  const files = (await readdir(join(stateDir, 'hosts'))).filter((f) => f.endsWith('.json'));
  const records = await Promise.all(files.map((f) => readFile(join(stateDir, 'hosts', f), 'utf8').then((t) => JSON.parse(t) as { lastAttemptAt?: number; running?: unknown }, () => undefined)));
  return records.filter((r) => r && !r.running && (r.lastAttemptAt ?? 0) >= since).length;
}

/**
 * Runs `drover controller` with `config` (YAML; its driftInterval must be shorter than the time since
 * the hosts' last runs and longer than the sweep plus `idleMs`) until all `hosts` were checked, then
 * `idleMs` more; stops it with SIGTERM.
 */
export async function measureControllerProcess(options: { dir: string; config: string; stateDir: string; hosts: number; idleMs: number }): Promise<ProcessFigures> {
  const file = join(options.dir, 'drover.process.yaml');
  await writeFile(file, options.config);
  const startedAt = Date.now();
  const child = spawn(process.execPath, [join(ROOT, 'bin/drover.js'), 'controller', '--config', file], { cwd: options.dir, stdio: 'ignore', env: deployedEnv(ROOT) });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  try {
    while ((await attemptedSince(options.stateDir, startedAt)) < options.hosts) {
      if (child.exitCode !== null) throw new Error(`drover controller exited (${child.exitCode}) before the sweep ended`);
      await sleep(200);
    }
    const sweepMs = Date.now() - startedAt;
    const before = await procStatus(child.pid!);
    const idleStart = performance.now();
    await sleep(options.idleMs);
    const after = await procStatus(child.pid!);
    const idleCpuPercent = (100 * (after.cpuTicks - before.cpuTicks) / TICKS_PER_S) / ((performance.now() - idleStart) / 1000);
    return { sweepMs, rssKb: before.rssKb, peakKb: after.peakKb, idleCpuPercent };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}
