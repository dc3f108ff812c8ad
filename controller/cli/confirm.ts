import { createInterface } from 'node:readline/promises';
import { DroverError } from '../../manifests/errors.js';
import type { CliIo } from './io.js';

/**
 * The rule every command that changes hosts follows (reconcile, run): `--yes` applies; otherwise a
 * person at a terminal must answer "yes" to `question`; without a terminal the command refuses
 * (E_USAGE, exit 1) and says how to go on. Resolves false when the person answered anything else.
 */
export async function confirmed(io: CliIo, options: { yes?: boolean; question: string; dryRunHint: string }): Promise<boolean> {
  if (options.yes) return true;
  if (!io.stdin?.isTTY) {
    throw new DroverError('E_USAGE', `refusing to apply without confirmation: there is no terminal to ask; pass --yes to apply, or ${options.dryRunHint}`);
  }
  const rl = createInterface({ input: io.stdin, output: io.stderr as NodeJS.WritableStream });
  try {
    const answer = await rl.question(`\n${options.question} Only "yes" is accepted: `);
    return answer.trim() === 'yes';
  } finally {
    rl.close();
  }
}
