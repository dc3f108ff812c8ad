/**
 * Symlinks in a revision may point only inside it. A link to `/etc/drover/token` or `../../..`
 * would let whoever can push to the repository make the controller read its own machine's files
 * into templates and send them to hosts.
 */
import { readdir, readlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';

/** True when a symlink at `link` (relative to the snapshot root) with `target` resolves outside the root (pure). */
export function symlinkEscapes(link: string, target: string): boolean {
  if (isAbsolute(target)) return true;
  const root = '/snapshot';
  const resolved = relative(root, resolve(root, dirname(link), target));
  return resolved === '..' || resolved.startsWith('../') || isAbsolute(resolved);
}

/** Every symlink below `root` that points outside it, as `path -> target` (paths relative to root, sorted). */
export async function escapingSymlinks(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(join(root, dir), { withFileTypes: true })) {
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(path);
      else if (entry.isSymbolicLink()) {
        const target = await readlink(join(root, path));
        if (symlinkEscapes(path, target)) found.push(`${path} -> ${target}`);
      }
    }
  };
  await walk('');
  return found.sort();
}
