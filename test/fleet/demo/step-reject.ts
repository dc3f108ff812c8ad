/**
 * Step 3: a bad commit is rejected whole: no host moves (not even the one whose change was valid),
 * the errors are shown as file:line:col, and reverting it brings the branch back to a good revision.
 */
import type { HostView } from '../../../controller/daemon/api.js';
import { liveHosts, liveStatus, sendWebhook, type StatusAnswer } from './controller.js';
import { drover, editFiles, sshHost } from './commands.js';
import { revisionOf, shortRevision, type DemoContext, type DemoStep } from './context.js';
import { hostFacts, showHosts } from './hosts-view.js';
import { git } from '../../support/git-remote.js';
import { note, output, say, shown } from './say.js';
import { expectThat, waitUntil } from './wait.js';

async function pushBadCommit(ctx: DemoContext): Promise<string> {
  const [web1, web2, web3] = ctx.world.hosts;
  shown(`sed -i 's/announced by a webhook/never applied/' hosts/${web2}.yaml     # a valid change ...`);
  shown(`sed -i 's/^port: 22/prot: 22/' hosts/${web3}.yaml                       # ... and two typos`);
  shown(`sed -i '0,/owner: root/s//ownr: root/' hosts/${web1}.yaml`);
  shown(`git commit -qam 'a new greeting on ${web2}, and typos' && git push -q     # then the same webhook`);
  await editFiles(ctx.world, [`hosts/${web2}.yaml`], 'announced by a webhook', 'never applied');
  await editFiles(ctx.world, [`hosts/${web3}.yaml`], /^port: 22/m, 'prot: 22');
  await editFiles(ctx.world, [`hosts/${web1}.yaml`], 'owner: root', 'ownr: root');
  const commit = await ctx.world.remote.commit({}, `a new greeting on ${web2}, and typos`);
  const answer = await sendWebhook(ctx.ctl, ctx.world.secret);
  expectThat(answer.status === 202, `the webhook answered ${answer.status} ${answer.body}`);
  return commit;
}

function waitAll(ctx: DemoContext, what: string, match: (h: HostView) => boolean): Promise<HostView[]> {
  let last: HostView[] = [];
  return waitUntil(what, async () => {
    last = await liveHosts(ctx.ctl);
    return last.length === ctx.world.hosts.length && last.every(match) ? last : undefined;
  }, { timeoutMs: 30_000, lastSeen: () => last.map((h) => `${h.host} ${h.status} ${h.reason}`).join('; ') });
}

/** Step 3. */
export const badCommit: DemoStep = async (ctx) => {
  say('3. a bad commit: rejected whole, every host stays on the last good revision');
  const good = (await liveHosts(ctx.ctl))[0]?.lastAppliedRevision;
  const commit = await pushBadCommit(ctx);
  const revision = revisionOf(commit);
  const status = await waitUntil(`${shortRevision(revision)} rejected`, async () => {
    const s = await liveStatus(ctx.ctl);
    return s.validation.state === 'rejected' && s.validation.rejected?.revision === revision ? s : undefined;
  }, { timeoutMs: 30_000 });
  const problems = status.validation.rejected?.problems ?? [];
  shown(`curl -s -H "Authorization: Bearer $(cat ${ctx.world.tokenFile})" ${ctx.ctl.url}/api/v1/status   # .validation, shown as lines`);
  output(problems.join('\n'));
  expectThat(problems.length === 2 && problems.every((p) => /^hosts\/web\d\.yaml:\d+:\d+ {2}\S/.test(p)), `expected two file:line:col problems, got: ${problems.join(' | ')}`);
  const hosts = await waitAll(ctx, `every host Rejected, staying on ${shortRevision(good)}`, (h) => h.status === 'Rejected' && h.lastAppliedRevision === good);
  showHosts(ctx, hosts);
  const web2 = await sshHost(ctx.fleet, 1, 'cat /srv/quickstart/hello.txt');
  expectThat(!web2.stdout.includes('never applied'), `${ctx.world.hosts[1]} got the valid half of a rejected commit: ${web2.stdout}`);
  note(`nothing was applied, not even ${ctx.world.hosts[1]}'s valid change; the same errors, before pushing:`);
  shown('drover validate');
  const local = await drover(['validate'], {}, ctx.world.remote.work);
  output(local.stderr);
  expectThat(local.code === 1, `drover validate exited ${local.code}, expected 1`);
  return { commit, revision, goodRevision: good, problems, hosts: hostFacts(hosts), web2Content: web2.stdout, ...(await revert(ctx)) };
};

/** Reverts the bad commit and announces it: the next good commit is picked up normally. */
async function revert(ctx: DemoContext): Promise<Record<string, unknown>> {
  note('fix it by reverting the commit:');
  shown('git revert --no-edit HEAD && git push -q     # and the webhook');
  await git(ctx.world.remote.work, 'revert', '--no-edit', 'HEAD');
  await git(ctx.world.remote.work, 'push', '-q', 'origin', 'main');
  const fixed = revisionOf((await git(ctx.world.remote.work, 'rev-parse', 'HEAD')).trim());
  const answer = await sendWebhook(ctx.ctl, ctx.world.secret);
  expectThat(answer.status === 202, `the webhook answered ${answer.status} ${answer.body}`);
  const status: StatusAnswer = await waitUntil(`${shortRevision(fixed)} accepted`, async () => {
    const s = await liveStatus(ctx.ctl);
    return s.validation.state === 'valid' && s.revisions.lastGood === fixed ? s : undefined;
  }, { timeoutMs: 30_000 });
  const hosts = await waitAll(ctx, 'every host Synced again', (h) => h.status === 'Synced');
  showHosts(ctx, hosts);
  return { fixRevision: fixed, validationAfterFix: status.validation.state, hostsAfterFix: hostFacts(hosts) };
}
