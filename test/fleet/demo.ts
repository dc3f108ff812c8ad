/**
 * `npm run demo`: drover's main job on the embedded example, against a real throwaway host.
 * First prepares the machine (prepare-machine.sh: as root on Debian/Ubuntu it installs what is
 * missing, saying what and why; otherwise it says what to install, and the demo exits 1 having
 * changed nothing). Then starts one isolated OpenSSH host of the test fleet, points a copy
 * of examples/quickstart at it, and runs the built CLI as a user would: a dry run (the plan), the
 * apply, a dry run that finds the host in sync, drift made by hand, and its repair. Every command is
 * printed before it runs. The host and the copy are removed at the end; the machine's own sshd is
 * never started and nothing binds *:22.
 * Exit status: 0 when every step did what it should, 1 otherwise (with what went wrong).
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DroverError } from '../../manifests/errors.js';
import { ROOT } from '../integration/cli/run-cli.js';
import { copyExample } from '../support/example-repo.js';
import { startFleet, type Fleet } from './index.js';

const PREPARE_SCRIPT = join(ROOT, 'test/fleet/prepare-machine.sh');

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

/** Runs prepare-machine.sh (the one preparation CI uses too); false when the machine is not ready. */
function prepareMachine(): boolean {
  const run = spawnSync('bash', [PREPARE_SCRIPT, '--quiet'], { stdio: ['ignore', 'inherit', 'inherit'] });
  return run.status === 0;
}

async function main(): Promise<void> {
  if (!prepareMachine()) {
    process.stderr.write('demo stopped: this machine lacks what the demo needs (see above); nothing was changed.\n');
    process.exitCode = 1;
    return;
  }
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
    process.stderr.write('The demo runs a real OpenSSH host on this machine: run it as root (sudo npm run demo) on Debian or Ubuntu,\n'
      + 'which installs what it needs, or try `npx drover validate examples/quickstart` to see the manifests only.\n');
  }
  process.exitCode = 1;
}
