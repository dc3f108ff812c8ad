/**
 * `npm run demo`: drover's main job on the embedded example, against a real throwaway host.
 * Starts one isolated OpenSSH host of the test fleet (needs root and openssh-server), points a copy
 * of examples/quickstart at it, and runs the built CLI as a user would: a dry run (the plan), the
 * apply, a dry run that finds the host in sync, drift made by hand, and its repair. Every command is
 * printed before it runs. The host and the copy are removed at the end; nothing else is touched.
 * Exit status: 0 when every step did what it should, 1 otherwise (with what went wrong).
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DroverError } from '../../manifests/errors.js';
import { ROOT } from '../integration/cli/run-cli.js';
import { copyExample } from '../support/example-repo.js';
import { startFleet, type Fleet } from './index.js';


interface DemoStep {
  title: string;
  args: string[];
  /** The exit status this step must end with (SPEC §5: 2 is drift found by a dry run). */
  expect: number;
}

const bold = process.stdout.isTTY && !process.env.NO_COLOR;

function say(text: string): void {
  process.stdout.write(bold ? `\n\x1b[1m== ${text}\x1b[0m\n` : `\n== ${text}\n`);
}

function drover(step: DemoStep, flags: string[]): void {
  say(step.title);
  process.stdout.write(`$ drover ${step.args.join(' ')}\n`);
  const run = spawnSync(process.execPath, [join(ROOT, 'bin/drover.js'), ...step.args, ...flags], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (run.status !== step.expect) throw new Error(`\`drover ${step.args.join(' ')}\` exited with ${run.status}, expected ${step.expect}`);
}

function sshOnHost(fleet: Fleet, command: string): void {
  process.stdout.write(`$ ssh web1 ${JSON.stringify(command)}\n`);
  const run = spawnSync('ssh', ['-F', fleet.sshConfigFile, '-o', 'BatchMode=yes', 'host1', command], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (run.status !== 0) throw new Error(`ssh ${command}: exit ${run.status}`);
}

async function main(): Promise<void> {
  say('starting a throwaway OpenSSH host (drover\'s test fleet)');
  const fleet = await startFleet({ count: 1, name: 'demo' });
  let repo: string | undefined;
  try {
    const host = fleet.hosts[0]!;
    repo = await copyExample('quickstart', { web1: { address: host.address } });
    process.stdout.write(`web1 is ${host.address}:22; the manifests are a copy of examples/quickstart in ${repo}\n`);
    const flags = ['--known-hosts', fleet.knownHostsFile, '-i', fleet.clientKeyFile];
    drover({ title: 'what would change (exit 2: drift)', args: ['reconcile', '--dry-run', repo], expect: 2 }, flags);
    drover({ title: 'converge the host', args: ['reconcile', repo, '--yes'], expect: 0 }, flags);
    drover({ title: 'a second look: nothing to do (exit 0)', args: ['reconcile', '--dry-run', repo], expect: 0 }, flags);
    say('drift made by hand on the host');
    sshOnHost(fleet, 'echo edited by hand > /srv/quickstart/hello.txt');
    drover({ title: 'the plan shows exactly that drift', args: ['reconcile', '--dry-run', repo], expect: 2 }, flags);
    drover({ title: 'repair it (the old content is kept in the backup store)', args: ['reconcile', repo, '--yes'], expect: 0 }, flags);
    say('done: the host converged, stayed converged, and drift was repaired');
  } finally {
    await fleet.stop();
    if (repo) rmSync(repo, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (err) {
  const message = err instanceof DroverError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
  process.stderr.write(`demo failed: ${message}\n`);
  if (err instanceof DroverError && err.code === 'E_FLEET_PREREQ') {
    process.stderr.write('The demo runs a real OpenSSH host on this machine: run it as root with openssh-server installed\n'
      + '(apt-get install -y openssh-server), or try `npx drover validate examples/quickstart` to see the manifests only.\n');
  }
  process.exitCode = 1;
}
