import { Command, CommanderError } from 'commander';
import { DroverError, ManifestInvalidError, formatProblem } from '../../manifests/errors.js';
import { ExitCode } from './exit-codes.js';
import { type CliIo, eprintln, processIo } from './io.js';
import { registerCommands } from './commands/index.js';
import { escapeLines } from './terminal-text.js';
import { VERSION } from './version.js';

/** drover's version (kept in version.ts so command modules need not import main). */
export { VERSION } from './version.js';
/** For bin/drover.js: stack traces name the TypeScript sources, not the bundle's chunks (see stack-traces.ts). */
export { mapStackTraces } from './stack-traces.js';

/**
 * Runs the drover command line with `argv` (without node and script) and resolves with the exit code.
 * Never throws: known errors print one line, bugs print their stack.
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const result: { code: number } = { code: ExitCode.ok };
  try {
    const program = await buildProgram(argv, io);
    program.setOptionValue('__result', result);
    await program.parseAsync(argv, { from: 'user' });
    return result.code;
  } catch (err) {
    return reportError(err, io);
  }
}

/** The drover program for `argv`: only the command it runs is loaded (see registerCommands). */
async function buildProgram(argv: string[], io: CliIo): Promise<Command> {
  const program = new Command('drover')
    .description('Keep plain Linux hosts in the state a Git repository declares.')
    .version(VERSION, '-V, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });
  await registerCommands(program, io, argv);
  for (const cmd of program.commands) {
    cmd.exitOverride().showSuggestionAfterError(true).configureOutput(program.configureOutput());
  }
  return program;
}

function reportError(err: unknown, io: CliIo): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
      return ExitCode.ok;
    }
    // commander already printed its message; add where to look.
    eprintln(io, `Run "drover --help" or "drover <command> --help" for usage.`);
    return ExitCode.error;
  }
  if (err instanceof ManifestInvalidError) {
    for (const p of err.problems) eprintln(io, escapeLines(formatProblem(p)));
    eprintln(io, `drover: the repository is invalid (${err.problems.length} problem${err.problems.length === 1 ? '' : 's'}); run "drover validate" for details`);
    return ExitCode.error;
  }
  if (err instanceof DroverError && err.kind !== 'internal') {
    eprintln(io, escapeLines(`drover: ${err.message}`));
    return ExitCode.error;
  }
  const stack = err instanceof Error ? (err.stack ?? err.message) : String(err);
  eprintln(io, `drover: internal error (a bug; please report it):\n${stack}`);
  return ExitCode.error;
}
