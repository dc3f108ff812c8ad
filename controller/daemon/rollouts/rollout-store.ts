/**
 * The rollout state in the controller's state dir: `rollouts.json` (each lane's RolloutProgress, written
 * atomically by the controller) and `rollout-resume.json` (a resume request `drover rollout resume
 * --state-dir` leaves for the controller, which removes it once the resumed state is saved).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DroverError } from '../../../manifests/errors.js';
import type { RolloutProgress } from '../../rollout/index.js';
import { writeFileAtomic } from '../../source/atomic-file.js';

/** The file a `drover rollout resume --state-dir` leaves for the controller (consumed within seconds). */
export const RESUME_REQUEST_FILE = 'rollout-resume.json';
/** The rollouts of the newest good revision. */
export const STATE_FILE = 'rollouts.json';

/** The rollouts stored in `stateDir` (read only; empty when there are none). Throws E_STATE_CORRUPT for a damaged file. */
export function loadRollouts(stateDir: string): RolloutProgress[] {
  const file = join(stateDir, STATE_FILE);
  if (!existsSync(file)) return [];
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { lanes?: RolloutProgress[] }).lanes ?? [];
  } catch (err) {
    throw new DroverError('E_STATE_CORRUPT', `${file}: ${(err as Error).message}; remove the file to forget the rollouts`);
  }
}

/** Leaves a request to resume halted rollouts (one lane, or all) for the controller using `stateDir`. */
export async function requestResume(stateDir: string, lane?: string): Promise<string> {
  const file = join(stateDir, RESUME_REQUEST_FILE);
  await writeFileAtomic(file, `${JSON.stringify(lane === undefined ? {} : { lane })}\n`, 0o644);
  return file;
}

/** Replaces the stored rollouts with `lanes`. Rejects with the fs error. */
export async function saveRollouts(stateDir: string, lanes: readonly RolloutProgress[]): Promise<void> {
  await writeFileAtomic(join(stateDir, STATE_FILE), `${JSON.stringify({ lanes }, null, 2)}\n`);
}
