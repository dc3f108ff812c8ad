/**
 * Rollout policies and maintenance windows as the repository declares them (drover.yaml and groups),
 * read after schema validation into plain data with positions, plus the checks the schema cannot make:
 * a wave's group exists, a cron expression parses, a time zone is known. The rollout logic itself
 * (waves, budgets, open/closed windows) is in controller/rollout/.
 */
import { Cron } from 'croner';
import { didYouMean } from './messages.js';
import type { ProblemList } from './problems.js';
import { locate, type PathSegment, type SourceFile } from './read.js';
import type { Origin } from './types.js';

/** One wave of a rollout; exactly one of group, percent and count is set. */
export interface RolloutWave {
  name: string;
  group?: string;
  percent?: number;
  count?: number;
  /** At most one of the two; neither means no failure is allowed. */
  maxFailures?: number;
  maxFailurePercent?: number;
  /** Wait after the wave passed before the next one starts (0: none). */
  pauseMs: number;
  origin: Origin;
}

/** A rollout: its waves in order; `lane` is `default` (drover.yaml) or the name of the group declaring it. */
export interface RolloutPolicy {
  lane: string;
  waves: RolloutWave[];
}

/** A maintenance window: opens at each `cron` time (in `timeZone`) for `durationMs`. */
export interface WindowSpec {
  kind: 'allow' | 'deny';
  cron: string;
  durationMs: number;
  timeZone: string;
  origin: Origin;
}

/** The policies of a repository. */
export interface RepositoryPolicies {
  /** drover.yaml's `rollout` (lane `default`). */
  rollout?: RolloutPolicy;
  /** Groups' own rollouts by group name (lane = group name). */
  groupRollouts: Record<string, RolloutPolicy>;
  /** drover.yaml's `windows` (empty: always open). */
  windows: WindowSpec[];
  /** Groups' own windows by group name (replacing drover.yaml's for their members). */
  groupWindows: Record<string, WindowSpec[]>;
}

interface RawWave { name?: string; group?: string; percent?: number; count?: number; maxFailures?: number; maxFailurePercent?: number; pause?: string }
interface RawWindow { allow?: true; deny?: true; cron: string; duration: string; timeZone?: string }
interface RawPolicyNode { rollout?: { waves?: (RawWave | null)[] }; windows?: (RawWindow | null)[] }

/**
 * Reads the policies of drover.yaml (`settings`) and the groups, reporting problems the schema cannot
 * see into `problems` (unknown wave group, bad cron expression, unknown time zone). Never throws.
 */
export function readPolicies(args: { settings?: SourceFile; groups: ReadonlyMap<string, SourceFile>; problems: ProblemList }): RepositoryPolicies {
  const groupNames = [...args.groups.keys()];
  const ctx = { groupNames, problems: args.problems };
  const out: RepositoryPolicies = { groupRollouts: {}, windows: [], groupWindows: {} };
  if (args.settings?.value) {
    const rollout = readRollout('default', args.settings, ctx);
    if (rollout) out.rollout = rollout;
    out.windows = readWindows(args.settings, ctx.problems) ?? [];
  }
  for (const [name, source] of args.groups) {
    if (!source.value) continue;
    const rollout = readRollout(name, source, ctx);
    if (rollout) out.groupRollouts[name] = rollout;
    const windows = readWindows(source, ctx.problems);
    if (windows) out.groupWindows[name] = windows;
  }
  return out;
}

function originAt(source: SourceFile, path: readonly PathSegment[]): Origin {
  return { file: source.file, ...locate(source, path) };
}

function readRollout(lane: string, source: SourceFile, ctx: { groupNames: string[]; problems: ProblemList }): RolloutPolicy | undefined {
  const raw = (source.value as RawPolicyNode).rollout;
  if (!raw?.waves) return undefined;
  const waves: RolloutWave[] = [];
  raw.waves.forEach((w, i) => {
    if (!w) return;
    const path = ['rollout', 'waves', i];
    if (w.group !== undefined && !ctx.groupNames.includes(w.group)) {
      ctx.problems.at(source, [...path, 'group'], `unknown group "${w.group}"${didYouMean(w.group, ctx.groupNames)}; groups are the files groups/<name>.yaml`);
    }
    if (w.maxFailures !== undefined && w.maxFailurePercent !== undefined) {
      ctx.problems.at(source, [...path, 'maxFailurePercent'], 'give either maxFailures or maxFailurePercent, not both', { key: true });
    }
    const wave: RolloutWave = { name: w.name ?? w.group ?? `wave-${i + 1}`, pauseMs: w.pause ? durationMs(w.pause) : 0, origin: originAt(source, path) };
    for (const key of ['group', 'percent', 'count', 'maxFailures', 'maxFailurePercent'] as const) {
      if (w[key] !== undefined) (wave as unknown as Record<string, unknown>)[key] = w[key];
    }
    waves.push(wave);
  });
  return waves.length > 0 ? { lane, waves } : undefined;
}

function readWindows(source: SourceFile, problems: ProblemList): WindowSpec[] | undefined {
  const raw = (source.value as RawPolicyNode).windows;
  if (!raw) return undefined;
  const out: WindowSpec[] = [];
  raw.forEach((w, i) => {
    if (!w) return;
    const timeZone = w.timeZone ?? 'UTC';
    const problem = cronProblem(w.cron, timeZone);
    if (problem) problems.at(source, ['windows', i, problem.field], problem.message);
    else out.push({ kind: w.deny ? 'deny' : 'allow', cron: w.cron, durationMs: durationMs(w.duration), timeZone, origin: originAt(source, ['windows', i]) });
  });
  return out;
}

/** What is wrong with a window's cron expression or time zone, if anything. */
function cronProblem(cron: string, timeZone: string): { field: string; message: string } | undefined {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    return { field: 'timeZone', message: `unknown time zone "${timeZone}"; use an IANA name such as UTC or Europe/Berlin` };
  }
  try {
    new Cron(cron, { timezone: timeZone, paused: true });
  } catch (err) {
    return { field: 'cron', message: `invalid cron expression "${cron}": ${(err as Error).message}; write minute hour day month weekday, e.g. "0 22 * * 1-5"` };
  }
  return undefined;
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds in a duration the schema accepted (`30s`, `1h30m`). */
function durationMs(text: string): number {
  let total = 0;
  for (const m of text.matchAll(/([0-9]+)(ms|s|m|h)/g)) total += Number(m[1]) * UNIT_MS[m[2]!]!;
  return total;
}
