import type { Command } from 'commander';
import { selectSteps } from '../../plan/select-steps.js';
import { applyHosts } from '../../reconcile/apply-hosts.js';
import { ExitCode } from '../exit-codes.js';
import { type CliIo, println, useColor } from '../io.js';
import { renderHostPlan } from '../render-plan.js';
import { hostSucceeded, renderApplyResult } from '../render-apply.js';
import { setExitCode } from '../context.js';
import { addSshOptions } from '../ssh-options.js';
import { addAgeIdentityOption } from '../age-identity.js';
import { planSelected, type PlanOptions } from './plan.js';

/**
 * `drover run HOST STEP [REPO]`: runs one named step (or a setup_<role> compound) and what it needs
 * (the steps of resources it depends on, backups, triggered handlers), like `fab HOST STEP`.
 */
export function registerRun(program: Command, io: CliIo): void {
  const cmd = program
    .command('run')
    .description('run one named step (see drover steps) and what it needs on one host')
    .argument('<host>', 'inventory host name')
    .argument('<step>', 'step name, e.g. regen_nginx_conf or setup_nginx')
    .argument('[repo]', 'manifest repository directory', '.');
  addAgeIdentityOption(addSshOptions(cmd)).action(async (host: string, step: string, repo: string, opts: PlanOptions, self: Command) => {
    const run = await planSelected(io, repo, { ...opts, host: [host], output: 'text', diff: true }, `run ${host} ${step}`);
    try {
      const [planned] = run.results;
      if (!planned || 'error' in planned) {
        println(io, planned ? renderHostPlan(planned, { color: useColor(io) }) : `${host}: not planned`);
        setExitCode(self, ExitCode.error);
        return;
      }
      const narrowed = { ...planned, plan: selectSteps(planned.plan, run.hosts[0]!, step) };
      println(io, renderHostPlan(narrowed, { color: useColor(io) }));
      const [result] = await applyHosts({
        planned: [narrowed], desired: run.hosts, concurrency: 1, verify: false, transportFor: (h) => run.pool.get(h.host.name),
      });
      if (result) println(io, renderApplyResult(result));
      setExitCode(self, result && hostSucceeded(result) ? ExitCode.ok : ExitCode.error);
    } finally {
      await run.pool.closeAll();
    }
  });
}
