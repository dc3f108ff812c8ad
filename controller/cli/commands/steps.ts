import type { Command } from 'commander';
import { restoreSteps, type RestoreStep } from '../../reconcile/restore-files.js';
import type { PlanStep } from '../../reconcile/types.js';
import { ExitCode } from '../exit-codes.js';
import { type CliIo, println } from '../io.js';
import { parseOutput, setExitCode } from '../context.js';
import { renderHostPlan } from '../render-plan.js';
import { addSshOptions } from '../ssh-options.js';
import { addAgeIdentityOption } from '../age-identity.js';
import { planSelected, type PlanOptions } from './plan.js';

/**
 * `drover steps HOST [REPO]`: the host's named steps, grouped by setup_<role>, and whether each would change,
 * then the restore_ steps (run on demand only). Exit 0 in sync, 2 drift, 3 the host could not be planned.
 */
export function registerSteps(program: Command, io: CliIo): void {
  const cmd = program
    .command('steps')
    .description("list a host's named steps and whether each would change (like fab --list)")
    .argument('<host>', 'inventory host name')
    .argument('[repo]', 'manifest repository directory', '.')
    .option('-o, --output <format>', 'text or json', 'text');
  addAgeIdentityOption(addSshOptions(cmd)).action(async (host: string, repo: string, opts: PlanOptions, self: Command) => {
    const output = parseOutput(opts.output);
    const run = await planSelected(io, repo, { ...opts, host: [host], diff: false }, `steps ${host}`);
    await run.session.close();
    const [result] = run.results;
    const desired = run.session.hosts[0];
    if (!result || 'error' in result || !desired) {
      if (result) println(io, renderHostPlan(result, { color: false }));
      setExitCode(self, ExitCode.partial);
      return;
    }
    const restores = restoreSteps(result.plan, desired);
    if (output === 'json') println(io, JSON.stringify([...result.plan.steps, ...restores], null, 2));
    else println(io, renderSteps(host, result.plan.steps, restores));
    setExitCode(self, result.plan.inSync ? ExitCode.ok : ExitCode.drift);
  });
}

/** Renders steps grouped by their compound step, with a status word each, then the restore_ steps. */
export function renderSteps(host: string, steps: PlanStep[], restores: RestoreStep[] = []): string {
  const width = Math.max(...steps.map((s) => s.name.length), ...restores.map((s) => s.name.length), 10);
  const lines = [`${host}: steps, grouped by their setup_ step`];
  let group = '';
  for (const s of steps) {
    if (s.group !== group) { group = s.group; lines.push(group); }
    lines.push(`  ${s.name.padEnd(width)}  ${status(s)}`);
  }
  if (restores.length > 0) lines.push('on demand (drover run HOST restore_x [--revision N])');
  const seen = new Set<string>();
  for (const r of restores) {
    if (seen.has(r.name)) continue;
    seen.add(r.name);
    const what = r.purged ? `put back what purge removed from ${r.path}` : `put ${restores.filter((x) => x.name === r.name).map((x) => x.path).join(', ')} back as before drover`;
    lines.push(`  ${r.name.padEnd(width)}  ${what}`);
  }
  return lines.join('\n');
}

function status(s: PlanStep): string {
  if (s.phase === 'test') return `check: ${s.reasons.join('; ')}`;
  if (s.mayChange !== undefined && s.action === 'none') return `may change: ${s.mayChange}`;
  if (s.action === 'none') return 'in sync';
  if (s.report) return `reported only: ${s.reasons.join('; ')}`;
  return `would ${s.action === 'delete' ? 'delete' : 'change'}: ${[...s.reasons, ...(s.mayChange ? [`may change: ${s.mayChange}`] : [])].join('; ')}`;
}
