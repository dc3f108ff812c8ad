/**
 * How the baseline's dependencies differ from the current checkout's, read from the two
 * package-lock.json files: pure, unit-tested. The bench links the current node_modules into the
 * baseline's worktree when every package the baseline locks is there (versions may differ, which
 * the run reports), and installs the baseline's own (`npm ci --offline`) only when some are absent.
 */

/** The part of a package-lock.json (lockfileVersion 2 or 3) read here. */
export interface PackageLock {
  packages?: Record<string, { version?: string; link?: boolean }>;
}

/** Packages of the baseline's lock that the current lock lacks or holds at another version. */
export interface LockDifferences {
  /** `name` of packages the current node_modules does not have. */
  absent: string[];
  /** `name a -> b`: present in both, baseline version a, current version b. */
  otherVersion: string[];
}

/** `node_modules/a/node_modules/b` -> `a > b` (nested copies named by their path). */
function packageName(path: string): string {
  return path.split(/\/?node_modules\//).filter(Boolean).join(' > ');
}

/** Compares the locks (the root entry `""` and workspace links are skipped). */
export function lockDifferences(baseline: PackageLock, current: PackageLock): LockDifferences {
  const base = baseline.packages ?? {};
  const cur = current.packages ?? {};
  const out: LockDifferences = { absent: [], otherVersion: [] };
  for (const [path, entry] of Object.entries(base)) {
    if (path === '' || entry.link || !path.includes('node_modules/')) continue;
    const now = cur[path];
    if (!now) out.absent.push(packageName(path));
    else if (now.version !== entry.version) out.otherVersion.push(`${packageName(path)} ${entry.version ?? '?'} -> ${now.version ?? '?'}`);
  }
  return out;
}

/** One line for the report: what the baseline runs with. */
export function describeDependencies(diff: LockDifferences, installed: boolean): string {
  if (installed) return `baseline node_modules: its own lock, installed with npm ci --offline (${diff.absent.length} of its packages are not in the current node_modules)`;
  if (diff.otherVersion.length === 0) return 'baseline node_modules: linked to the current checkout\'s (the same locked versions)';
  const some = diff.otherVersion.slice(0, 3).join(', ');
  return `baseline node_modules: linked to the current checkout's; ${diff.otherVersion.length} package(s) at another version than the baseline locked (${some}${diff.otherVersion.length > 3 ? ', ...' : ''})`;
}
