/**
 * The demo itself, once demo.ts found the machine ready: the fleet, the Git remote, the controller and
 * the six steps, then cleanup whatever happens. See demo.ts for what it shows.
 */
import { readFile } from 'node:fs/promises';
import { FleetError } from '../errors.js';
import { startFleet, type Fleet } from '../index.js';
import { startController, type DemoController } from './controller.js';
import type { DemoContext, DemoStep } from './context.js';
import { printKeepInfo, nextSignal } from './keep.js';
import { note, output, say, shown, type Reporter } from './say.js';
import { createWorld, removeWorld, type DemoWorld } from './setup.js';
import { cliClients, metrics } from './step-cli.js';
import { firstConvergence, webhookCommit } from './step-converge.js';
import { driftRepaired } from './step-drift.js';
import { badCommit } from './step-reject.js';

const STEPS: [number, string, DemoStep][] = [
  [1, 'first convergence', firstConvergence],
  [2, 'a commit announced by a signed webhook', webhookCommit],
  [3, 'a bad commit rejected whole', badCommit],
  [4, 'drift found and repaired', driftRepaired],
  [5, 'drover sync --wait and drover hosts --controller', cliClients],
  [6, '/metrics', metrics],
];

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

async function main(keep: boolean, reporter: Reporter): Promise<void> {
  const parts: Parts = {};
  const signal = nextSignal();
  try {
    const interrupted = signal.then((s) => { throw new Error(`interrupted by ${s}`); });
    interrupted.catch(() => undefined); // handled by the races below; without them (--keep) it is the way out
    const ctx = await Promise.race([start(parts, reporter), interrupted]);
    await Promise.race([runSteps(ctx), interrupted]);
    say('done: every step behaved as shown');
    if (keep) {
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

/** Runs the demo (`keep`: until SIGINT/SIGTERM); resolves with the exit status, 0 when every step behaved as shown. */
export async function runDemo(keep: boolean, reporter: Reporter): Promise<number> {
  try {
    await main(keep, reporter);
    return 0;
  } catch (err) {
    const message = err instanceof FleetError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
    process.stderr.write(`demo failed: ${message}\n`);
    if (err instanceof FleetError && err.code === 'E_FLEET_PREREQ') {
      process.stderr.write('The demo runs real OpenSSH hosts on this machine: run it as root (sudo npm run demo) on Debian or Ubuntu,\n'
        + 'which installs what it needs, or try `npx drover validate examples/quickstart` to see the manifests only.\n');
    }
    return 1;
  }
}
