import type { Command } from 'commander';
import { DroverError } from '../../../manifests/errors.js';
import type { PlanStep } from '../../plan/types.js';
import { ExitCode } from '../exit-codes.js';
import { type CliIo, println } from '../io.js';
import { parseOutput, setExitCode } from '../context.js';
import { addSshOptions } from '../ssh-options.js';
import { addAgeIdentityOption } from '../age-identity.js';
import { planSelected, type PlanOptions } from './plan.js';

/** `drover steps HOST [REPO]`: the host's named steps, grouped by setup_<role>, and whether each would change. */
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
    await run.pool.closeAll();
    const [result] = run.results;
    if (!result || 'error' in result) {
      throw new DroverError(result?.error.code ?? 'E_INTERNAL', `${host}: ${result?.error.message ?? 'not planned'}`);
    }
    if (output === 'json') println(io, JSON.stringify(result.plan.steps, null, 2));
    else println(io, renderSteps(host, result.plan.steps));
    setExitCode(self, result.plan.inSync ? ExitCode.ok : ExitCode.drift);
  });
}

/** Renders steps grouped by their compound step, with a status word each. */
export function renderSteps(host: string, steps: PlanStep[]): string {
  const width = Math.max(...steps.map((s) => s.name.length), 10);
  const lines = [`${host}: steps, grouped by their setup_ step`];
  let group = '';
  for (const s of steps) {
    if (s.group !== group) { group = s.group; lines.push(group); }
    lines.push(`  ${s.name.padEnd(width)}  ${status(s)}`);
  }
  return lines.join('\n');
}

function status(s: PlanStep): string {
  if (s.phase === 'test') return `check: ${s.reasons.join('; ')}`;
  if (s.mayChange !== undefined && s.action === 'none') return `may change: ${s.mayChange}`;
  if (s.action === 'none') return 'in sync';
  return `would ${s.action === 'delete' ? 'delete' : 'change'}: ${[...s.reasons, ...(s.mayChange ? [`may change: ${s.mayChange}`] : [])].join('; ')}`;
}
