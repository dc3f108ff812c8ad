/**
 * Runs what the demo shows a user typing: the built drover CLI (bin/drover.js -> dist/), ssh to a
 * fleet host, and edits-and-pushes in the working clone. Asynchronous on purpose: the controller's
 * log pipe is read by this process and must keep flowing while a command runs.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Fleet } from '../index.js';
import { ROOT } from '../../integration/cli/run-cli.js';
import type { DemoWorld } from './setup.js';

/** A finished command: its exit code and output. */
export interface CommandRun {
  code: number;
  stdout: string;
  stderr: string;
}

function runFile(file: string, args: string[], env: Record<string, string> = {}, cwd = ROOT): Promise<CommandRun> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs `drover ARGS` (the built CLI) with `env` added. */
export function drover(args: string[], env: Record<string, string> = {}, cwd = ROOT): Promise<CommandRun> {
  return runFile(process.execPath, [join(ROOT, 'bin/drover.js'), ...args], env, cwd);
}

/** Runs `command` on fleet host `index` (0-based) over ssh with the fleet's config. */
export function sshHost(fleet: Fleet, index: number, command: string): Promise<CommandRun> {
  return runFile('ssh', ['-F', fleet.sshConfigFile, '-o', 'BatchMode=yes', fleet.hosts[index]!.name, command]);
}

/** Replaces `from` with `to` in each of `files` (paths relative to the clone); throws when a file lacks `from`. */
export async function editFiles(world: DemoWorld, files: string[], from: string | RegExp, to: string): Promise<void> {
  for (const file of files) {
    const path = join(world.remote.work, file);
    const text = await readFile(path, 'utf8');
    const edited = text.replace(from, to);
    if (edited === text) throw new Error(`${file}: ${String(from)} not found`);
    await writeFile(path, edited);
  }
}
