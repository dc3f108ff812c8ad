/**
 * The table of commands that serves `drover --help` and suggestions without importing the commands
 * (controller/cli/commands/index.ts) matches the real commands: same names, order, terms, descriptions,
 * so the help a stub shows is the help the real command would show.
 */
import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { COMMANDS, commandWord, registerCommands } from '../../../controller/cli/commands/index.js';
import type { CliIo } from '../../../controller/cli/io.js';

const io: CliIo = { stdout: { write: () => true }, stderr: { write: () => true }, env: {}, cwd: '/nonexistent' };

async function program(argv?: string[]): Promise<Command> {
  const p = new Command('drover').description('d').version('0', '-V, --version');
  await registerCommands(p, io, argv);
  return p;
}

describe('the command table', () => {
  it('lists the real commands in their order, with their terms and descriptions', async () => {
    const real = await program();
    const help = real.createHelp();
    expect(COMMANDS.map((c) => [c.name, c.term, c.description])).toEqual(
      real.commands.map((c) => [c.name(), help.subcommandTerm(c), c.description()]),
    );
  });

  it('makes `drover --help` with stubs the same as with every command loaded', async () => {
    const full = (await program()).helpInformation();
    expect((await program([])).helpInformation()).toBe(full);
    expect((await program(['--help'])).helpInformation()).toBe(full);
    for (const c of COMMANDS) expect((await program([c.name])).helpInformation(), c.name).toBe(full);
  });

  it('loads the command argv names, for real, with its subcommands', async () => {
    const p = await program(['secrets', 'set', 'x']);
    expect(p.commands.find((c) => c.name() === 'secrets')!.commands.map((c) => c.name())).toEqual(['set', 'edit']);
    expect(p.commands.find((c) => c.name() === 'rollout')!.commands).toEqual([]);
  });
});

describe('commandWord', () => {
  it('is the first word that is not an option, or the word after help', () => {
    expect(commandWord([])).toBeUndefined();
    expect(commandWord(['--version'])).toBeUndefined();
    expect(commandWord(['validate', 'repo'])).toBe('validate');
    expect(commandWord(['-h', 'plan'])).toBe('plan');
    expect(commandWord(['--', 'plan'])).toBe('plan');
    expect(commandWord(['-', 'plan'])).toBe('-');
    expect(commandWord(['help', 'controller'])).toBe('controller');
    expect(commandWord(['help'])).toBeUndefined();
  });
});
