/**
 * The bundled CLI's stack traces name the TypeScript sources: bin/drover.js calls mapStackTraces(), and a
 * bug's stack (printed by main) points at controller/cli/… .ts lines, not at dist/cli/ chunks.
 * Needs `npm run build` (the CLI runs from dist/).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './run-cli.js';

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Runs main() of the bundle with a stdout that throws (a bug as main sees it) and returns what it printed. */
function internalError(mapped: boolean): { code: string; stderr: string } {
  const script = `
    import { main, mapStackTraces } from ${JSON.stringify(join(ROOT, 'dist/cli/main.js'))};
    if (${mapped}) mapStackTraces();
    let stderr = '';
    const io = { stdout: null, stderr: { write: (s) => { stderr += s; } }, env: {}, cwd: ${JSON.stringify(ROOT)} };
    const code = await main(['validate', 'examples/quickstart'], io);
    process.stdout.write(JSON.stringify({ code: String(code), stderr }));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as { code: string; stderr: string };
}

describe('stack traces of the bundled CLI', () => {
  it('show the TypeScript files and lines', () => {
    const { code, stderr } = internalError(true);
    expect(code).toBe('1');
    expect(stderr).toContain('drover: internal error (a bug; please report it):\nTypeError: ');
    expect(stderr).toMatch(new RegExp(`at println \\(${escape(join(ROOT, 'controller/cli/io.ts'))}:\\d+:\\d+\\)`));
    expect(stderr).toMatch(new RegExp(`\\(${escape(join(ROOT, 'controller/cli/commands/validate.ts'))}:\\d+:\\d+\\)`));
    expect(stderr).not.toContain('dist/cli/');
  });

  it('name the chunks without mapStackTraces (so the check above can fail)', () => {
    expect(internalError(false).stderr).toMatch(/dist\/cli\/[\w-]+\.js:\d+:\d+/);
  });
});
