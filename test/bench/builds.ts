/**
 * The builds a bench run measures: the current checkout (built with `npm run build`) and, unless
 * `--baseline none`, a baseline commit checked out into a temporary git worktree under the OS temp
 * dir, built there the same way and removed afterwards. The baseline reuses the current node_modules
 * through a symlink (no network) unless its lock names packages the current one lacks; then
 * `npm ci --offline` installs its own from the npm cache.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defaultBaselineRef, type BaselineChoice } from './args.js';
import { describeDependencies, lockDifferences, type PackageLock } from './lock-diff.js';

/** The repository root of the current checkout. */
export const ROOT = join(import.meta.dirname, '..', '..');

/** One build of drover: where its CLI and compiled modules are. */
export interface Build {
  /** `current` or `baseline`. */
  name: 'current' | 'baseline';
  root: string;
  /** bin/drover.js of this build. */
  bin: string;
  /** dist/ of this build (in-process benches import from here). */
  dist: string;
  /** What was built, for the report (`HEAD~5 = 07e5c78`). */
  describe: string;
}

/** A prepared baseline: its build, what to report about it, and how to remove its worktree. */
export interface Baseline {
  build: Build;
  notes: string[];
  /** Removes the worktree and its temp dir (synchronous, so a signal handler can call it too). */
  remove(): void;
}

function run(command: string, args: string[], cwd: string): { ok: boolean; out: string } {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}

function must(command: string, args: string[], cwd: string): string {
  const r = run(command, args, cwd);
  if (!r.ok) throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${r.out.split('\n').slice(-30).join('\n')}`);
  return r.out;
}

/** Runs `npm run build` in `root`; throws with the end of its output when it fails. */
export function buildAt(root: string): void {
  must('npm', ['run', 'build'], root);
}

/** The current checkout as a build (built by the caller with buildAt(ROOT)). */
export function currentBuild(): Build {
  const head = must('git', ['rev-parse', '--short', 'HEAD'], ROOT);
  const dirty = run('git', ['status', '--porcelain', '--untracked-files=no'], ROOT).out !== '';
  return { name: 'current', root: ROOT, bin: join(ROOT, 'bin', 'drover.js'), dist: join(ROOT, 'dist'), describe: `${head}${dirty ? ' + uncommitted changes' : ''}` };
}

/** The ref the choice names (the default: the last tag reachable from HEAD, else HEAD~20); undefined for none. */
export function baselineRef(choice: BaselineChoice): string | undefined {
  if (choice.kind === 'none') return undefined;
  if (choice.kind === 'ref') return choice.ref;
  const tag = run('git', ['describe', '--tags', '--abbrev=0'], ROOT);
  return defaultBaselineRef(tag.ok ? tag.out : undefined);
}

function readLock(file: string): PackageLock {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as PackageLock) : {};
}

/** Gives the worktree node_modules: a link to the current ones when they hold every locked package, else its own. */
function provideModules(dir: string, log: (line: string) => void): string {
  const diff = lockDifferences(readLock(join(dir, 'package-lock.json')), readLock(join(ROOT, 'package-lock.json')));
  if (diff.absent.length === 0) {
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    return describeDependencies(diff, false);
  }
  log(`baseline: ${diff.absent.length} locked package(s) not in the current node_modules (${diff.absent.slice(0, 3).join(', ')}): npm ci --offline`);
  must('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], dir);
  return describeDependencies(diff, true);
}

/** The commit `ref` names (full sha); throws a message saying what to do when it names none. */
export function resolveCommit(ref: string): string {
  const resolved = run('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], ROOT);
  if (!resolved.ok) throw new Error(`baseline "${ref}" is not a commit of this repository: name one with --baseline REF, or measure the current build alone with --baseline none`);
  return resolved.out;
}

/** Checks `ref` out into a temporary worktree and builds it; throws (after removing it) when that fails. */
export function prepareBaseline(ref: string, log: (line: string) => void): Baseline {
  const sha = resolveCommit(ref);
  const short = sha.slice(0, 7);
  const temp = mkdtempSync(join(tmpdir(), 'drover-bench-baseline-'));
  const dir = join(temp, 'drover');
  const remove = (): void => {
    if (existsSync(join(dir, 'node_modules'))) {
      // A link must go before git removes the tree: never through it into the current node_modules.
      try { unlinkSync(join(dir, 'node_modules')); } catch { rmSync(join(dir, 'node_modules'), { recursive: true, force: true }); }
    }
    run('git', ['worktree', 'remove', '--force', dir], ROOT);
    rmSync(temp, { recursive: true, force: true });
    run('git', ['worktree', 'prune'], ROOT);
  };
  try {
    log(`baseline: git worktree add ${dir} ${ref} (${short})`);
    must('git', ['worktree', 'add', '--detach', dir, sha], ROOT);
    const modules = provideModules(dir, log);
    log('baseline: npm run build');
    buildAt(dir);
    const build: Build = { name: 'baseline', root: dir, bin: join(dir, 'bin', 'drover.js'), dist: join(dir, 'dist'), describe: ref === short ? short : `${ref} = ${short}` };
    return { build, notes: [modules], remove };
  } catch (err) {
    remove();
    throw err;
  }
}

/** Imports module `path` (relative to dist/, e.g. `manifests/index.js`) of a build: the in-process benches measure that build's code. */
export async function importFrom<T>(build: Build, path: string | readonly string[]): Promise<T> {
  // A module that moved between the builds is named by each of its paths, newest first.
  const paths = typeof path === 'string' ? [path] : path;
  const found = paths.find((p) => existsSync(join(build.dist, p))) ?? paths[0]!;
  return (await import(pathToFileURL(join(build.dist, found)).href)) as T;
}
