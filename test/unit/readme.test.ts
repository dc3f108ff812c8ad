/**
 * The README's promises that code can check: the two set-up commands come first and exactly as agreed,
 * every `npm run X` it shows is a script of package.json, and every drover subcommand it shows exists.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { registerCommands } from '../../controller/cli/commands/index.js';
import { processIo } from '../../controller/cli/io.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
const shellBlocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());

describe('README.md', () => {
  it('starts with the two set-up commands, exactly', () => {
    expect(shellBlocks.slice(0, 2)).toEqual(['npm ci && npm run demo', 'npm test']);
  });

  it('shows only npm scripts that exist', () => {
    const shown = [...readme.matchAll(/npm run ([a-z-]+)/g)].map((m) => m[1]!);
    expect(shown.length).toBeGreaterThan(3);
    for (const name of shown) expect(Object.keys(pkg.scripts), name).toContain(name);
  });

  it('shows only drover subcommands that exist', async () => {
    const program = new Command('drover');
    await registerCommands(program, processIo());
    const known = program.commands.map((c) => c.name());
    const shown = [...readme.matchAll(/^\s*(?:\$ )?(?:npx )?drover ([a-z]+)/gm)].map((m) => m[1]!);
    expect(shown.length).toBeGreaterThan(10);
    for (const name of shown) expect(known, `drover ${name}`).toContain(name);
  });
});
