/** Steps 1 and 2: the first convergence, then a commit announced by a signed webhook. */
import { liveHost, sendWebhook, webhookCommand } from './controller.js';
import { editFiles, sshHost } from './commands.js';
import { revisionOf, shortRevision, type DemoStep } from './context.js';
import { hostFacts, showHosts, waitAllSynced } from './hosts-view.js';
import { headCommit } from './setup.js';
import { note, output, say, shown } from './say.js';
import { expectThat } from './wait.js';

/** Step 1: the controller clones the repository, validates it and converges every host. */
export const firstConvergence: DemoStep = async (ctx) => {
  say('1. the first convergence: the controller clones main, validates it and converges every host');
  const revision = revisionOf(await headCommit(ctx.world));
  const started = Date.now();
  const hosts = await waitAllSynced(ctx, revision, 120_000);
  const ms = Date.now() - started;
  showHosts(ctx, hosts);
  const web1 = await liveHost(ctx.ctl, ctx.world.hosts[0]!);
  const run = web1.history.find((r) => r.result === 'applied');
  expectThat(run !== undefined, `${web1.host}: no applied run in its history`);
  shown(`curl -s -H "Authorization: Bearer $(cat ${ctx.world.tokenFile})" ${ctx.ctl.url}/api/v1/hosts/${web1.host}   # .history[]: the run that converged it`);
  output(`trigger ${run.trigger}, result ${run.result}, changed ${run.changedSteps.join(', ')}`);
  note(`every host Synced on ${shortRevision(revision)} (${(ms / 1000).toFixed(1)} s after the listener came up)`);
  return { revision, hosts: hostFacts(hosts), ms, web1Run: run };
};

const NEW_TEXT = 'Hello from drover, announced by a webhook!';

/** Step 2: a commit to the manifests, pushed and announced by a signed GitHub push webhook. */
export const webhookCommit: DemoStep = async (ctx) => {
  say('2. a commit to the manifests, announced by a signed webhook');
  const files = ctx.world.hosts.map((h) => `hosts/${h}.yaml`);
  shown(`cd ${ctx.world.remote.work}`);
  shown(`sed -i 's/Hello from drover!/${NEW_TEXT}/' hosts/*.yaml`);
  shown(`git commit -qam 'hello.txt: a new greeting' && git push -q`);
  await editFiles(ctx.world, files, 'Hello from drover!', NEW_TEXT);
  const commit = await ctx.world.remote.commit({}, 'hello.txt: a new greeting');
  const revision = revisionOf(commit);
  shown(`SECRET_FILE=${ctx.world.secretFile}`);
  for (const line of webhookCommand(ctx.ctl.url).lines) shown(line);
  const sent = Date.now();
  const answer = await sendWebhook(ctx.ctl, ctx.world.secret);
  output(answer.body);
  expectThat(answer.status === 202 && (JSON.parse(answer.body) as { ignored?: boolean }).ignored === false, `the webhook answered ${answer.status} ${answer.body}, not 202 with a triggered fetch`);
  const hosts = await waitAllSynced(ctx, revision, 30_000);
  const ms = Date.now() - sent;
  showHosts(ctx, hosts);
  note(`every host converged to ${shortRevision(revision)} ${(ms / 1000).toFixed(1)} s after the webhook`);
  shown(`ssh ${ctx.world.hosts[0]} cat /srv/quickstart/hello.txt`);
  const content = await sshHost(ctx.fleet, 0, 'cat /srv/quickstart/hello.txt');
  output(content.stdout);
  expectThat(content.stdout.includes(NEW_TEXT), `${ctx.world.hosts[0]}: hello.txt does not hold the new greeting: ${content.stdout}${content.stderr}`);
  return { commit, revision, webhook: { status: answer.status, body: JSON.parse(answer.body) as unknown }, ms, hosts: hostFacts(hosts), content: content.stdout };
};
