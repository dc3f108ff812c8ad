/**
 * Where drover's own files are (schema/, examples/), from the running module: the nearest directory
 * above it whose package.json names the package "drover". Works from the sources (tsx) and from
 * dist/ alike, and in an installed copy under node_modules/drover.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DroverError } from '../../../manifests/errors.js';

function isDroverPackage(dir: string): boolean {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return false;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === 'drover';
  } catch {
    return false;
  }
}

/** Returns the drover package's root directory; throws E_INTERNAL when the module is not inside it (a broken install). */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    if (isDroverPackage(dir)) return dir;
    if (dirname(dir) === dir) break;
  }
  throw new DroverError('E_INTERNAL', `drover's package.json not found above ${from}; reinstall drover`);
}
