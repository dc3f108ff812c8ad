import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../../support/paths.js';

/** Tests import ROOT from test/support/paths.ts; test/fleet and test/bench still import it from here. */
export { ROOT };

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real, built drover binary (bin/drover.js -> dist/, built by `npm test`) with `args`,
 * no TTY (stdin closed, or `stdin` piped in), NO_COLOR set, and resolves with its exit code and output.
 */
export function runDrover(args: string[], options: { cwd?: string; env?: Record<string, string>; stdin?: string } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/drover.js'), ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdin.end(options.stdin ?? '');
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
