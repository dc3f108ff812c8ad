/**
 * `drover init`'s file work: copies the starter repository (examples/starter in the package) into a
 * directory, with drover's JSON Schemas under schema/ and each file's yaml-language-server comment
 * pointing at that copy, so editors check the files from the new repository on any machine.
 */
import { copyFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { DroverError } from '../../../manifests/errors.js';

/** Where the starter and the schemas are read from (the drover package). */
export interface ScaffoldSources {
  starterDir: string;
  schemaDir: string;
}

/** Files stored under another name in the package: npm drops `.gitignore` files when publishing. */
const RENAMED: Record<string, string> = { gitignore: '.gitignore' };

const SCHEMA_LINE = /^(# yaml-language-server: \$schema=)\S*?([a-z]+\.schema\.json)[ \t]*$/m;

/**
 * Points a file's yaml-language-server comment at schema/ of the new repository, relative to the
 * file (`hosts/web1.yaml` -> `../schema/host.schema.json`). Text without such a line is returned as is.
 */
export function pointSchemaComment(text: string, path: string): string {
  const up = '../'.repeat(path.split('/').length - 1);
  return text.replace(SCHEMA_LINE, (_line, head: string, file: string) => `${head}${up}schema/${file}`);
}

async function listFiles(dir: string, base = dir): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map(async (e) => {
    const full = join(dir, e.name);
    return e.isDirectory() ? listFiles(full, base) : [relative(base, full)];
  }));
  return nested.flat().sort();
}

/**
 * Throws E_INIT_NOT_EMPTY when `dir` exists and holds anything (a `.git` alone included), naming a
 * few entries and the way out; resolves when it is absent or empty.
 */
export async function refuseNonEmpty(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (!info) return;
  if (!info.isDirectory()) throw new DroverError('E_INIT_NOT_A_DIRECTORY', `${dir} exists and is not a directory; pick another path`);
  const entries = (await readdir(dir)).sort();
  if (entries.length === 0) return;
  const shown = entries.slice(0, 3).join(', ') + (entries.length > 3 ? `, ... (${entries.length} entries)` : '');
  throw new DroverError('E_INIT_NOT_EMPTY',
    `${dir} is not empty (${shown}); nothing was written. Pick a new or empty directory, or pass --force to add the starter files here (files of the same name are overwritten, others kept)`);
}

/** Copies drover's schemas to `<dir>/schema/`; resolves with the paths written (relative to `dir`). */
export async function writeSchemas(dir: string, sources: ScaffoldSources): Promise<string[]> {
  const names = (await readdir(sources.schemaDir)).filter((n) => n.endsWith('.schema.json')).sort();
  await mkdir(join(dir, 'schema'), { recursive: true });
  await Promise.all(names.map((n) => copyFile(join(sources.schemaDir, n), join(dir, 'schema', n))));
  return names.map((n) => `schema/${n}`);
}

/** Writes the starter files and the schemas into `dir` (created if needed); resolves with every path written, relative to `dir`. */
export async function writeStarter(dir: string, sources: ScaffoldSources): Promise<string[]> {
  const written: string[] = [];
  for (const path of await listFiles(sources.starterDir)) {
    const target = RENAMED[path] ?? path;
    const text = await readFile(join(sources.starterDir, path), 'utf8');
    await mkdir(dirname(join(dir, target)), { recursive: true });
    await writeFile(join(dir, target), target.endsWith('.yaml') ? pointSchemaComment(text, target) : text);
    written.push(target);
  }
  return [...written, ...(await writeSchemas(dir, sources))];
}
