/** Step 4: drift made by hand on one host is found by the drift check and repaired (selfHeal). */
import type { RunRecord } from '../../../controller/daemon/state/records.js';
import { liveHost } from './controller.js';
import { sshHost } from './commands.js';
import type { DemoStep } from './context.js';
import { DEMO_DRIFT_INTERVAL } from './setup.js';
import { note, output, say, shown } from './say.js';
import { expectThat, waitUntil } from './wait.js';

const FILE = '/srv/quickstart/hello.txt';

/** Step 4. */
export const driftRepaired: DemoStep = async (ctx) => {
  const name = ctx.world.hosts[1]!;
  say(`4. drift: a file edited by hand on ${name}, found by the drift check (every ${DEMO_DRIFT_INTERVAL}) and repaired (selfHeal: true)`);
  const before = await sshHost(ctx.fleet, 1, `cat ${FILE}`);
  const command = `echo edited by hand > ${FILE}`;
  shown(`ssh ${name} '${command}'`);
  const edited = Date.now();
  const edit = await sshHost(ctx.fleet, 1, command);
  expectThat(edit.code === 0, `ssh ${name}: exit ${edit.code} ${edit.stderr}`);
  let lastRun: RunRecord | undefined;
  const repair = await waitUntil(`${name}: a drift check that repairs ${FILE}`, async () => {
    const host = await liveHost(ctx.ctl, name);
    lastRun = host.history[0];
    return host.history.find((r) => r.trigger === 'drift' && r.result === 'applied' && r.startedAt >= edited - 1000);
  }, { timeoutMs: 30_000, lastSeen: () => JSON.stringify(lastRun) });
  const ms = (repair.endedAt ?? Date.now()) - edited;
  shown(`curl -s -H "Authorization: Bearer $(cat ${ctx.world.tokenFile})" ${ctx.ctl.url}/api/v1/hosts/${name}   # .history[0]`);
  output(`trigger ${repair.trigger}, result ${repair.result}, changed ${repair.changedSteps.join(', ')}`);
  shown(`ssh ${name} cat ${FILE}`);
  const after = await sshHost(ctx.fleet, 1, `cat ${FILE}`);
  output(after.stdout);
  expectThat(after.stdout === before.stdout, `${name}: ${FILE} was not restored: ${after.stdout}`);
  note(`found and repaired ${(ms / 1000).toFixed(1)} s after the edit; the edited copy is kept in the host's backup store`);
  return { host: name, run: repair, ms, contentBefore: before.stdout, contentAfter: after.stdout };
};
