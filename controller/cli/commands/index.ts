/**
 * drover's subcommands, loaded on demand: each command module (and what it imports: the daemon, SSH,
 * age, ...) is imported only when that command runs or shows its help. Every other command is a stub
 * that only lists itself in `drover --help` and in "did you mean" suggestions, from the table below
 * (test/unit/cli/command-table.test.ts checks it against the real commands).
 */
import { type Command, Command as CommanderCommand, Help } from 'commander';
import type { CliIo } from '../io.js';

/** What a command module exports: adds its command(s) to `program`. */
type Register = (program: Command, io: CliIo) => void;

/** Each command module, imported when one of its commands is wanted. */
const MODULES = {
  init: async () => (await import('./init.js')).registerInit,
  validate: async () => (await import('./validate.js')).registerValidate,
  hosts: async () => (await import('./hosts.js')).registerHosts,
  plan: async () => (await import('./plan.js')).registerPlan,
  reconcile: async () => (await import('./reconcile.js')).registerReconcile,
  run: async () => (await import('./run.js')).registerRun,
  facts: async () => (await import('./facts.js')).registerFacts,
  steps: async () => (await import('./steps.js')).registerSteps,
  secrets: async () => (await import('./secrets.js')).registerSecrets,
  controller: async () => (await import('./controller.js')).registerController,
  sync: async () => (await import('./sync.js')).registerSync,
  preview: async () => (await import('./preview.js')).registerPreview,
  suspend: async () => (await import('./suspend.js')).registerSuspendResume,
  rollout: async () => (await import('./rollout.js')).registerRollout,
  explain: async () => (await import('./explain.js')).registerExplain,
} satisfies Record<string, () => Promise<Register>>;

/** A top-level command as `drover --help` lists it, and the module that registers it. */
export interface CommandEntry {
  /** The command's name (`drover NAME`). */
  readonly name: string;
  /** Its line in `drover --help`: name, `[options]` when it has any, arguments. */
  readonly term: string;
  /** Its description, as the command module sets it. */
  readonly description: string;
  /** The module registering it; commands of one module are adjacent in COMMANDS. */
  readonly module: keyof typeof MODULES;
}

/** Every top-level command in `drover --help` order (the order the modules register them). */
export const COMMANDS: readonly CommandEntry[] = [
  { name: 'init', module: 'init', term: 'init [options] [dir]',
    description: 'start a manifest repository: a host, a group, a role, templates, controller config; git init and a first commit' },
  { name: 'validate', module: 'validate', term: 'validate [options] [repo]',
    description: 'check a manifest repository (schemas, references, templates); touches no host' },
  { name: 'hosts', module: 'hosts', term: 'hosts [options] [repo]',
    description: 'list the hosts a manifest repository resolves to (touches no host), or with --state-dir their status as the controller recorded it' },
  { name: 'explain', module: 'explain', term: 'explain [options] <host>',
    description: 'say why a host is not on the newest good revision, with the runs and events that led there' },
  { name: 'plan', module: 'plan', term: 'plan [options] [repo]', description: 'show what reconcile would change (same as reconcile --dry-run)' },
  { name: 'reconcile', module: 'reconcile', term: 'reconcile [options] [repo]', description: 'converge hosts to the manifests (--dry-run: only show the plan)' },
  { name: 'run', module: 'run', term: 'run [options] <host> <step> [repo]', description: 'run one named step (see drover steps) and what it needs on one host' },
  { name: 'facts', module: 'facts', term: 'facts [options] <host> [repo]', description: "print a host's observed state for the resources it declares" },
  { name: 'steps', module: 'steps', term: 'steps [options] <host> [repo]', description: "list a host's named steps and whether each would change (like fab --list)" },
  { name: 'secrets', module: 'secrets', term: 'secrets',
    description: 'age-encrypted secrets in the repository (secrets/<name>.age, recipients in secrets/recipients.txt)' },
  { name: 'controller', module: 'controller', term: 'controller [options]',
    description: 'run the GitOps controller: follow a Git repository and keep every host converged' },
  { name: 'sync', module: 'sync', term: 'sync [options]', description: 'ask a running controller to reconcile now (all hosts, or --host ones)' },
  { name: 'preview', module: 'preview', term: 'preview [options]',
    description: 'ask a running controller what a branch or pull request would change on every host (never applies)' },
  { name: 'suspend', module: 'suspend', term: 'suspend [options] <host>', description: 'stop reconciling a host (a run in progress finishes)' },
  { name: 'resume', module: 'suspend', term: 'resume [options] <host>', description: 'reconcile a suspended host again, at once' },
  { name: 'rollout', module: 'rollout', term: 'rollout', description: 'staged rollouts (drover.yaml `rollout`)' },
];

/**
 * The top-level command `argv` (without node and script) runs, the way commander picks it: the first
 * word that is not an option (drover's own options take no value), or for `help NAME` the NAME.
 * Undefined when there is none (`drover`, `drover --version`); may be a name no command has.
 */
export function commandWord(argv: readonly string[]): string | undefined {
  const words = argv.filter((a) => !(a.length > 1 && a.startsWith('-')));
  return words[0] === 'help' ? words[1] : words[0];
}

const stubTerms = new WeakMap<Command, string>();

/**
 * Adds every drover subcommand to `program`, in COMMANDS order: the one(s) `argv` runs (see commandWord)
 * for real, imported now; every other as a stub that commander can list and suggest but never runs.
 * Without `argv`, every command is real (tests, docs). Sets `program`'s help to show a stub's term.
 */
export async function registerCommands(program: Command, io: CliIo, argv?: readonly string[]): Promise<void> {
  const wanted = argv === undefined ? undefined : commandWord(argv);
  const real = new Set(COMMANDS.filter((c) => argv === undefined || c.name === wanted).map((c) => c.module));
  const registers = new Map(await Promise.all([...real].map(async (m) => [m, await MODULES[m]()] as const)));
  program.configureHelp({
    subcommandTerm(this: Help, cmd: Command): string {
      return stubTerms.get(cmd) ?? Help.prototype.subcommandTerm.call(this, cmd);
    },
  });
  for (const entry of COMMANDS) {
    const register = registers.get(entry.module);
    if (register) {
      registers.delete(entry.module);
      register(program, io);
    } else if (!real.has(entry.module)) {
      program.addCommand(stub(entry));
    }
  }
}

/** A command that only lists itself; running it is a bug (commandWord chose another command). */
function stub(entry: CommandEntry): Command {
  const cmd = new CommanderCommand(entry.name)
    .description(entry.description)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      throw new Error(`drover ${entry.name} ran without its module (commandWord(argv) chose another command)`);
    });
  stubTerms.set(cmd, entry.term);
  return cmd;
}
