import type { Command } from 'commander';
import { join, relative, resolve } from 'node:path';
import { commitStarter } from '../init/git-commit.js';
import { packageRoot } from '../init/package-root.js';
import { refuseNonEmpty, writeSchemas, writeStarter, type ScaffoldSources } from '../init/scaffold.js';
import { type CliIo, println } from '../io.js';

interface InitOptions {
  force?: boolean;
  schemasOnly?: boolean;
}

function sources(): ScaffoldSources {
  const root = packageRoot();
  return { starterDir: join(root, 'examples', 'starter'), schemaDir: join(root, 'schema') };
}

/** The three commands a new user runs next; `cd` is left out when the repository is the working directory. */
function nextSteps(io: CliIo, dir: string): string[] {
  const rel = relative(io.cwd, dir) || '.';
  const steps = [
    'drover validate                  # schemas and references; touches no host',
    'drover reconcile --dry-run       # what would change on web1 (exit 2: drift); touches nothing',
    'drover controller                # follow main: commit a change and web1 converges; status on http://127.0.0.1:8080/',
  ];
  return rel === '.' ? steps : [`cd ${rel.includes(' ') ? JSON.stringify(rel) : rel}`, ...steps.slice(1)];
}

/**
 * `drover init [DIR]`: scaffolds a manifest repository (drover.yaml, a host, a group, a role with a
 * parameter and a template with default/ and production/ variants, secrets/recipients.txt (how
 * secrets are kept, as its comments), schema/ for
 * editors, .gitignore, drover.config.yaml), runs `git init` with a first commit and prints the next
 * three commands. Refuses a non-empty DIR (E_INIT_NOT_EMPTY, nothing written) unless --force.
 * `--schemas-only` refreshes schema/ of an existing repository (after upgrading drover) and commits nothing.
 */
export function registerInit(program: Command, io: CliIo): void {
  program
    .command('init')
    .description('start a manifest repository: a host, a group, a role, templates, controller config; git init and a first commit')
    .argument('[dir]', 'directory to create (or an empty one)', '.')
    .option('--force', 'write into a non-empty directory (files of the same name are overwritten, others kept)')
    .option('--schemas-only', 'only refresh schema/ (the JSON Schemas editors check the files with); no commit')
    .action(async (dirArg: string, opts: InitOptions) => {
      const dir = resolve(io.cwd, dirArg);
      if (opts.schemasOnly) {
        const written = await writeSchemas(dir, sources());
        println(io, `refreshed ${written.length} schemas in ${join(dirArg, 'schema')}/; commit them with your next change`);
        return;
      }
      if (!opts.force) await refuseNonEmpty(dir);
      const written = await writeStarter(dir, sources());
      const first = await commitStarter(dir, written);
      const commitNote = first ? `, first commit ${first.commit}` : ', already committed as is';
      println(io, `created a drover repository in ${dirArg} (${written.length} files${commitNote})`);
      if (first?.fallbackIdentity) {
        println(io, 'git has no user.name/user.email here, so the commit is authored by "drover init"; set yours with git config --global user.name/user.email');
      }
      println(io);
      println(io, 'Next: set web1\'s address in hosts/web1.yaml to a server you reach with ssh as root, then');
      for (const step of nextSteps(io, dir)) println(io, `  ${step}`);
    });
}
