/**
 * Crash-safe file replacement: after a crash at any point, the file holds either its old or its new
 * contents, never a mix or nothing. Used by the source (its accepted file) and the daemon (its state);
 * it lives here, the lower of the two modules, so both can import it. Written by hand rather than with write-file-atomic because that
 * package does not fsync the directory, and without it the rename itself may not survive a power loss.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Temp files are `.<target name>.<random>.tmp` next to their target: hidden, and never `*.json`. */
export const TEMP_FILE = /^\..+\.[0-9a-f]{8}\.tmp$/;

/**
 * Replaces `file` with `contents`: writes a temp file in the same directory (created with `mode`, less
 * the umask; default 0600: state may quote what hosts printed), fsyncs it, renames it over `file`,
 * fsyncs the directory. On failure the temp file is removed and `file` is unchanged; rejects with the fs error.
 */
export async function writeFileAtomic(file: string, contents: string, mode = 0o600): Promise<void> {
  const dir = dirname(file);
  const temp = join(dir, `.${basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.writeFile(contents);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDir(dir);
}

/** Removes `file` (no error when it is gone already) and fsyncs its directory. */
export async function removeFileDurably(file: string): Promise<void> {
  await unlink(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  await syncDir(dirname(file));
}

/** fsyncs a directory, making renames and unlinks in it durable. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
