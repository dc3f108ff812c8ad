import { chmodSync, chownSync, lstatSync, mkdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';

/**
 * Writing into a fleet host's overlay upper dir before it is mounted. `lower` is the dir the
 * overlay will show beneath it (`/` for every real host; tests pass a dir of their own).
 */
export interface UpperLayer {
  upper: string;
  lower: string;
}

/** Writes `content` at `path` (as the host sees it) with `mode`, creating parent dirs like the lower ones. */
export function writeUpperFile(layer: UpperLayer, options: { path: string; content: string; mode: number }): void {
  ensureUpperDir(layer, dirname(options.path));
  const target = join(layer.upper, options.path);
  writeFileSync(target, options.content, { mode: options.mode });
  chmodSync(target, options.mode);
}

/** Makes `path` a symlink to `target` in the host, whatever the lower layer has there. */
export function linkInUpper(layer: UpperLayer, options: { path: string; target: string }): void {
  ensureUpperDir(layer, dirname(options.path));
  const link = join(layer.upper, options.path);
  rmSync(link, { force: true });
  symlinkSync(options.target, link);
}

/**
 * Hides `path` of the lower layer (a file, a link or a whole dir) from the host: an overlay
 * whiteout, a 0/0 character device in the upper dir. Does nothing when the lower has no such path,
 * so a host's upper dir only holds what it changes. Needs root (mknod).
 */
export function hideInUpper(layer: UpperLayer, path: string): void {
  try {
    lstatSync(join(layer.lower, path));
  } catch {
    return;
  }
  ensureUpperDir(layer, dirname(path));
  execFileSync('mknod', [join(layer.upper, path), 'c', '0', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * Creates `path` in the upper dir with the mode and owner of the same dir in the lower layer: an
 * upper dir's attributes win in the merged view, so /root must stay 0700.
 */
export function ensureUpperDir(layer: UpperLayer, path: string): void {
  let sub = '';
  for (const part of path.split('/').filter(Boolean)) {
    sub = `${sub}/${part}`;
    const target = join(layer.upper, sub);
    let lower: { mode: number; uid: number; gid: number };
    try {
      lower = statSync(join(layer.lower, sub));
    } catch {
      lower = { mode: 0o755, uid: 0, gid: 0 };
    }
    try {
      mkdirSync(target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    chmodSync(target, lower.mode & 0o7777);
    chownSync(target, lower.uid, lower.gid);
  }
}
