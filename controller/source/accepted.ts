/**
 * `<workDir>/accepted`: the last commit the source accepted on the followed ref, so the
 * fast-forward check survives restarts. JSON `{"ref": "refs/heads/main", "commit": "<40 hex>"}`;
 * the ref is kept so that following another branch does not count as a rewrite.
 */
import { readFile } from 'node:fs/promises';
import { DroverError } from '../../manifests/errors.js';
import { writeFileAtomic } from './atomic-file.js';
import { isCommitId } from './ref.js';

/** The last accepted commit on `ref`. */
export interface Accepted {
  ref: string;
  commit: string;
}

/** Reads the accepted file; undefined when there is none. Throws E_SOURCE_STATE (stalled) when it is unreadable or malformed. */
export async function readAccepted(file: string): Promise<Accepted | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DroverError('E_SOURCE_STATE', `cannot read ${file}: ${(error as Error).message}; fix its permissions`);
  }
  try {
    const data = JSON.parse(text) as Partial<Accepted>;
    if (typeof data.ref === 'string' && typeof data.commit === 'string' && isCommitId(data.commit)) return { ref: data.ref, commit: data.commit };
  } catch {
    // reported below
  }
  throw new DroverError('E_SOURCE_STATE', `${file} is not {"ref": "...", "commit": "<40 hex>"}: restore it, or remove it to accept the fetched commit as the new base`);
}

/** Writes the accepted file atomically (atomic-file.ts: temp file, fsync, rename, fsync of the dir). */
export async function writeAccepted(file: string, accepted: Accepted): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(accepted)}\n`, 0o644);
}
