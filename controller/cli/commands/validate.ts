import type { Command } from 'commander';
import { loadRepository } from '../../../manifests/index.js';
import { formatProblem } from '../../../manifests/errors.js';
import { ExitCode } from '../exit-codes.js';
import { type CliIo, eprintln, println } from '../io.js';
import { DroverError } from '../../../manifests/errors.js';
import { resolveRepo, setExitCode } from '../context.js';
import { githubAnnotation } from '../github-annotations.js';
import { escapeLines } from '../terminal-text.js';

/** `drover validate [REPO]`: schema and semantic checks of a whole repository; touches no host. */
export function registerValidate(program: Command, io: CliIo): void {
  program
    .command('validate')
    .description('check a manifest repository (schemas, references, templates); touches no host')
    .argument('[repo]', 'manifest repository directory', '.')
    .option('-o, --output <format>', 'text, json, or github (GitHub Actions annotations on the problems\' lines)', 'text')
    .action(async (repo: string, opts: { output: string }, cmd: Command) => {
      const output = parseValidateOutput(opts.output);
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
      } else if (output === 'github' && !summary.valid) {
        for (const p of loaded.problems) println(io, githubAnnotation(p, { root, cwd: io.cwd }));
        eprintln(io, `invalid: ${loaded.problems.length} problem${loaded.problems.length === 1 ? '' : 's'}`);
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

/** validate's --output: text, json or github; E_USAGE for anything else. */
function parseValidateOutput(value: string): 'text' | 'json' | 'github' {
  if (value === 'text' || value === 'json' || value === 'github') return value;
  throw new DroverError('E_USAGE', `unknown --output "${value}"; use text, json or github`);
}
