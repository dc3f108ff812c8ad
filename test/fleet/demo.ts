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
 *
 * Until the machine is known to be ready this file loads only Node's built-ins and two small files
 * (demo/say.ts, test/support/paths.ts); the demo itself (demo/run.ts: the fleet, the controller, drover's modules
 * and dependencies) is imported after. So the refusal needs little of the checkout besides
 * prepare-machine.sh and tsx: test/integration/fleet/prepare-machine.test.ts runs it inside a host.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from '../support/paths.js';
import { Reporter } from './demo/say.js';

/** Runs prepare-machine.sh for the demo's packages (the one preparation CI uses too); false when the machine is not ready. */
function prepareMachine(): boolean {
  const script = join(ROOT, 'test/fleet/prepare-machine.sh');
  return spawnSync('bash', [script, '--demo', '--quiet'], { stdio: ['ignore', 'inherit', 'inherit'] }).status === 0;
}

const { values } = parseArgs({ options: { keep: { type: 'boolean' }, report: { type: 'string' } } });
const reporter = new Reporter(values.report);
if (prepareMachine()) {
  const { runDemo } = await import('./demo/run.js');
  process.exitCode = await runDemo(values.keep ?? false, reporter);
} else {
  process.stderr.write('demo stopped: this machine lacks what the demo needs (see above); nothing was changed.\n');
  reporter.update({ phase: 'failed' });
  process.exitCode = 1;
}
// Signal listeners would keep nothing alive, but say so: the demo ends here.
process.exit();
