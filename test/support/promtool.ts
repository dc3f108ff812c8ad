import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

/** Where Debian's `prometheus` package puts its binaries (test/fleet/prepare-machine.sh installs it). */
export const PROMTOOL = '/usr/bin/promtool';
export const PROMETHEUS = '/usr/bin/prometheus';

/** Throws naming the package when promtool or prometheus is missing (never a silent skip). */
export function requirePrometheus(): void {
  for (const bin of [PROMTOOL, PROMETHEUS]) {
    try {
      accessSync(bin, constants.X_OK);
    } catch {
      throw new Error(`${bin} is missing: install Debian's prometheus package (test/fleet/prepare-machine.sh does)`);
    }
  }
}

/** What a finished promtool run printed. */
export interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs promtool with `args` (and `stdin`); resolves whatever its exit code. */
export function runPromtool(args: string[], stdin?: string): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(PROMTOOL, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}
