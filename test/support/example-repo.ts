/**
 * Copies one of examples/ into a temp dir and points its hosts at test-fleet hosts, so an e2e test can
 * reconcile a real example without touching the original. Host files are edited with the yaml library's
 * document API: comments and every field the patch does not name are kept.
 */
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMap, parseDocument } from 'yaml';
import { ROOT } from './paths.js';

/** What to change in one host file (hosts/<name>.yaml). */
export interface HostPatch {
  /** New `address`. */
  address?: string;
  /** New `port`. */
  port?: number;
  /** Role params set on the host: `{ django: { workers: 4 } }` sets `params.django.workers`; other params are kept. */
  params?: Record<string, Record<string, unknown>>;
  /** Data keys set on the host (`data.<key>`); other keys are kept. */
  data?: Record<string, unknown>;
}

/**
 * Applies `patch` to `<repo>/hosts/<host>.yaml` in place. Throws when the file does not exist or is not a map.
 */
export async function patchHostFile(repo: string, host: string, patch: HostPatch): Promise<void> {
  const file = join(repo, 'hosts', `${host}.yaml`);
  const doc = parseDocument(await readFile(file, 'utf8'));
  if (!isMap(doc.contents)) throw new Error(`${file}: not a YAML map`);
  if (patch.address !== undefined) doc.set('address', patch.address);
  if (patch.port !== undefined) doc.set('port', patch.port);
  for (const [role, params] of Object.entries(patch.params ?? {})) {
    for (const [key, value] of Object.entries(params)) doc.setIn(['params', role, key], value);
  }
  for (const [key, value] of Object.entries(patch.data ?? {})) doc.setIn(['data', key], value);
  await writeFile(file, doc.toString());
}

/**
 * Copies `examples/<name>` into a fresh temp dir, applies `patches` (keyed by host name, i.e. the file name
 * under hosts/ without .yaml) and resolves with the copy's path. The caller removes it (rm -r).
 * Throws when the example or a patched host file does not exist.
 */
export async function copyExample(name: string, patches: Record<string, HostPatch>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `drover-example-${name}-`));
  await cp(join(ROOT, 'examples', name), dir, { recursive: true });
  for (const [host, patch] of Object.entries(patches)) await patchHostFile(dir, host, patch);
  return dir;
}
