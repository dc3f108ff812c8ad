/**
 * `drover plan --ref REF [--base REF2]`: the revisions come from the Git repository holding the
 * manifests, each materialised read-only in a temp dir (source/local-ref.ts), so the working tree, the
 * index and every ref stay as they are. The base revision is only loaded (never planned): its desired
 * states tell the previewed revision's own changes from drift.
 */
import { ManifestInvalidError, DroverError, formatProblem } from '../../manifests/errors.js';
import { loadValidRepository } from '../../manifests/index.js';
import type { DesiredState } from '../../manifests/types.js';
import { materialiseLocalRef, type LocalRefTree } from '../source/index.js';
import { loadRepositorySecrets } from './age-identity.js';
import { type CliIo, eprintln } from './io.js';

/** The revisions a plan works on. */
export interface RefTrees {
  /** --ref materialised (absent: the working tree is planned). */
  head?: LocalRefTree;
  /** --base: its name, commit and hosts by name (secrets decrypted), when given. */
  base?: { ref: string; commit: string; hosts: ReadonlyMap<string, DesiredState> };
}

/**
 * Materialises `--ref` and `--base` of the repository holding `dir`, runs `work` with them, then
 * removes them (also when `work` throws). Throws what materialiseLocalRef throws, and E_MANIFEST_INVALID
 * naming the base when the base revision does not validate.
 */
export async function withRefTrees<T>(io: CliIo, dir: string, opts: { ref?: string; base?: string; ageIdentity?: string }, work: (trees: RefTrees) => Promise<T>): Promise<T> {
  const made: LocalRefTree[] = [];
  const materialise = async (ref: string): Promise<LocalRefTree> => {
    const tree = await materialiseLocalRef({ dir, ref });
    made.push(tree);
    return tree;
  };
  try {
    const head = opts.ref === undefined ? undefined : await materialise(opts.ref);
    if (head) eprintln(io, `planning ${opts.ref} (${head.commit.slice(0, 12)}); the working tree is not used`);
    const base = opts.base === undefined ? undefined : await loadBase(io, await materialise(opts.base), opts.ageIdentity);
    return await work({ ...(head ? { head } : {}), ...(base ? { base } : {}) });
  } finally {
    for (const tree of made) await tree.remove();
  }
}

async function loadBase(io: CliIo, tree: LocalRefTree, ageIdentity: string | undefined): Promise<NonNullable<RefTrees['base']>> {
  try {
    const loaded = await loadValidRepository(tree.dir);
    await loadRepositorySecrets(io, { root: tree.dir, hosts: loaded.hosts, flag: ageIdentity });
    return { ref: tree.ref, commit: tree.commit, hosts: new Map(loaded.hosts.map((h) => [h.host.name, h])) };
  } catch (error) {
    if (!(error instanceof ManifestInvalidError)) throw error;
    const first = error.problems[0];
    throw new DroverError('E_MANIFEST_INVALID', `the base ${tree.ref} (${tree.commit.slice(0, 12)}) does not validate (${error.problems.length} problems${first ? `, first: ${formatProblem(first)}` : ''}); compare with a valid revision`);
  }
}
