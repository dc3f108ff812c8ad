import type { Command } from 'commander';
import { resolve } from 'node:path';
import { stat } from 'node:fs/promises';
import { DroverError } from '../../manifests/errors.js';
import type { CliIo } from './io.js';

/** Sets the process exit code a command wants (read back by main()). */
export function setExitCode(cmd: Command, code: number): void {
  let root: Command = cmd;
  while (root.parent) root = root.parent;
  const result = root.getOptionValue('__result') as { code: number } | undefined;
  if (result) result.code = code;
}

/**
 * Resolves the REPO argument (default: the current directory) and checks it is a directory.
 * Throws DroverError E_REPO_NOT_FOUND with a hint when it is not.
 */
export async function resolveRepo(io: CliIo, repo: string | undefined, command: string): Promise<string> {
  const root = resolve(io.cwd, repo ?? '.');
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new DroverError(
      'E_REPO_NOT_FOUND',
      `repository directory not found: ${repo ?? root}. Pass the path of a manifest repository, e.g. "drover ${command} examples/quickstart".`,
    );
  }
  return root;
}

/** Parses the --output option; throws a clear error for unknown formats. */
export function parseOutput(value: string): 'text' | 'json' {
  if (value === 'text' || value === 'json') return value;
  throw new DroverError('E_USAGE', `unknown --output "${value}"; use text or json`);
}
