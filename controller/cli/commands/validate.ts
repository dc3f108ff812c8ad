import type { Command } from 'commander';
import { loadRepository } from '../../../manifests/index.js';
import { formatProblem } from '../../../manifests/errors.js';
import { ExitCode } from '../exit-codes.js';
import { type CliIo, eprintln, println } from '../io.js';
import { parseOutput, resolveRepo, setExitCode } from '../context.js';
import { escapeLines } from '../terminal-text.js';

/** `drover validate [REPO]`: schema and semantic checks of a whole repository; touches no host. */
export function registerValidate(program: Command, io: CliIo): void {
  program
    .command('validate')
    .description('check a manifest repository (schemas, references, templates); touches no host')
    .argument('[repo]', 'manifest repository directory', '.')
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (repo: string, opts: { output: string }, cmd: Command) => {
      const output = parseOutput(opts.output);
      const root = await resolveRepo(io, repo, 'validate');
      const loaded = await loadRepository(root);
      const resources = loaded.hosts.reduce((n, h) => n + h.resources.length, 0);
      const summary = {
        valid: loaded.problems.length === 0,
        hosts: loaded.hosts.length,
        groups: loaded.groups.length,
        roles: loaded.roles.length,
        resources,
        problems: loaded.problems,
      };
      if (output === 'json') {
        println(io, JSON.stringify(summary, null, 2));
      } else if (summary.valid) {
        println(io, `valid: ${summary.hosts} hosts, ${summary.groups} groups, ${summary.roles} roles, ${resources} resources`);
      } else {
        for (const p of loaded.problems) eprintln(io, escapeLines(formatProblem(p)));
        const n = loaded.problems.length;
        eprintln(io, `invalid: ${n} problem${n === 1 ? '' : 's'}`);
      }
      setExitCode(cmd, summary.valid ? ExitCode.ok : ExitCode.error);
    });
}
