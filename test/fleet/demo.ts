/**
 * `npm run demo`: drover's main job, the GitOps loop, on the embedded example in about a minute.
 * First prepares the machine (prepare-machine.sh: as root on Debian/Ubuntu it installs what is
 * missing, saying what and why; otherwise it says what to install, and the demo exits 1 having
 * changed nothing). Then starts three throwaway OpenSSH hosts (the test fleet), a bare Git remote
 * seeded from examples/quickstart with web1..web3 pointed at them, and `drover controller` with its
 * HTTP API, status page and /metrics on loopback and a webhook secret, and shows, printing what a
 * user would type: (1) the first convergence, (2) a commit announced by a signed webhook, (3) a bad
 * commit rejected whole, (4) drift repaired, (5) `drover sync --wait` and `drover hosts --controller`,
 * (6) /metrics. Everything is removed at the end; the machine's own sshd is never started.
 *
 * Flags: `--keep` leaves it running (URLs, token, commands to try) until Ctrl-C; `--report FILE`
 * writes what each step observed as JSON (for the e2e test).
 * Exit status: 0 when every step did what it shows, 1 otherwise (with what went wrong).
 */
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FleetError } from './errors.js';
import { ROOT } from '../integration/cli/run-cli.js';
import { startFleet, type Fleet } from './index.js';
import { startController, type DemoController } from './demo/controller.js';
import type { DemoContext, DemoStep } from './demo/context.js';
import { printKeepInfo, nextSignal } from './demo/keep.js';
import { Reporter, note, output, say, shown } from './demo/say.js';
import { createWorld, removeWorld, type DemoWorld } from './demo/setup.js';
import { cliClients, metrics } from './demo/step-cli.js';
import { firstConvergence, webhookCommit } from './demo/step-converge.js';
import { driftRepaired } from './demo/step-drift.js';
import { badCommit } from './demo/step-reject.js';

const STEPS: [number, string, DemoStep][] = [
  [1, 'first convergence', firstConvergence],
  [2, 'a commit announced by a signed webhook', webhookCommit],
  [3, 'a bad commit rejected whole', badCommit],
  [4, 'drift found and repaired', driftRepaired],
  [5, 'drover sync --wait and drover hosts --controller', cliClients],
  [6, '/metrics', metrics],
];

/** Runs prepare-machine.sh (the one preparation CI uses too); false when the machine is not ready. */
function prepareMachine(): boolean {
  return spawnSync('bash', [join(ROOT, 'test/fleet/prepare-machine.sh'), '--quiet'], { stdio: ['ignore', 'inherit', 'inherit'] }).status === 0;
}

async function runSteps(ctx: DemoContext): Promise<void> {
  for (const [step, title, run] of STEPS) {
    try {
      ctx.reporter.step({ step, title, ok: true, facts: await run(ctx) });
    } catch (err) {
      ctx.reporter.step({ step, title, ok: false, facts: {}, error: err instanceof Error ? err.message : String(err) });
      throw err;
    }
  }
}

/** The running parts, for cleanup whatever happens. */
interface Parts { fleet?: Fleet; world?: DemoWorld; ctl?: DemoController }

async function start(parts: Parts, reporter: Reporter): Promise<DemoContext> {
  say('starting three throwaway OpenSSH hosts and a Git remote seeded from examples/quickstart');
  const fleet = parts.fleet = await startFleet({ count: 3, name: 'demo' });
  const world = parts.world = await createWorld(fleet);
  note(`web1..web3 are ${fleet.hosts.map((h) => h.address).join(', ')}; the remote is ${world.remote.bare}, a clone in ${world.remote.work}`);
  say('starting the controller: it follows main of that remote (HTTP API, status page, /metrics on loopback)');
  note('(drover below is this checkout\'s CLI: npx drover, or node bin/drover.js)');
  shown(`cat ${world.configFile}`);
  output(await readFile(world.configFile, 'utf8'));
  shown(`drover controller --config ${world.configFile} &`);
  const ctl = parts.ctl = await startController(world);
  process.on('exit', () => ctl.process.child.kill('SIGKILL'));
  note(`listening on ${ctl.url} (status page ${ctl.url}/, API ${ctl.url}/api/v1, metrics ${ctl.url}/metrics)`);
  reporter.update({ url: ctl.url, tokenFile: world.tokenFile, workDir: world.remote.work, tempDir: world.dir });
  return { fleet, world, ctl, reporter };
}

async function cleanup(parts: Parts): Promise<void> {
  const code = parts.ctl ? await parts.ctl.process.stop() : 0;
  await parts.fleet?.stop();
  await removeWorld(parts.world);
  if (code !== 0) throw new Error(`the controller exited with ${code} on SIGTERM, expected 0: ${parts.ctl?.process.stderr()}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { keep: { type: 'boolean' }, report: { type: 'string' } } });
  const reporter = new Reporter(values.report);
  if (!prepareMachine()) {
    process.stderr.write('demo stopped: this machine lacks what the demo needs (see above); nothing was changed.\n');
    reporter.update({ phase: 'failed' });
    process.exitCode = 1;
    return;
  }
  const parts: Parts = {};
  const signal = nextSignal();
  try {
    const interrupted = signal.then((s) => { throw new Error(`interrupted by ${s}`); });
    interrupted.catch(() => undefined); // handled by the races below; without them (--keep) it is the way out
    const ctx = await Promise.race([start(parts, reporter), interrupted]);
    await Promise.race([runSteps(ctx), interrupted]);
    say('done: every step behaved as shown');
    if (values.keep) {
      printKeepInfo(ctx);
      reporter.update({ phase: 'keeping' });
      await signal;
      note('\nstopping the controller and the hosts, removing the remote ...');
    }
  } catch (err) {
    reporter.update({ phase: 'failed' });
    throw err;
  } finally {
    await cleanup(parts);
  }
  reporter.update({ phase: 'done' });
}

try {
  await main();
} catch (err) {
  const message = err instanceof FleetError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
  process.stderr.write(`demo failed: ${message}\n`);
  if (err instanceof FleetError && err.code === 'E_FLEET_PREREQ') {
    process.stderr.write('The demo runs real OpenSSH hosts on this machine: run it as root (sudo npm run demo) on Debian or Ubuntu,\n'
      + 'which installs what it needs, or try `npx drover validate examples/quickstart` to see the manifests only.\n');
  }
  process.exitCode = 1;
}
// Signal listeners would keep nothing alive, but say so: the demo ends here.
process.exit();
