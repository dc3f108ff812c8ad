/**
 * Follows each fetched revision to its verdict and reports it: `pending` when accepted, `failure` when
 * rejected, then, once every host is final (revision-outcome.ts), `success` or `failure`; a revision a
 * newer one replaces before its verdict is `superseded`. Each change is posted as a commit status and
 * logged as an event. What was reported is kept in `<stateDir>/report/revisions.json`, so a restart
 * neither reports a revision again nor forgets one still pending. Success is final; a failure turns
 * into success if the hosts converge later while the revision is still the newest.
 */
import { readFile } from 'node:fs/promises';
import { parseRevisionName } from '../../source/index.js';
import { writeFileAtomic } from '../../source/atomic-file.js';
import type { Logger } from '../log.js';
import type { NewEvent, OutcomeCounts } from './events.js';
import type { CommitState, CommitStatus } from './forge.js';
import { fit, judgeRevision, type HostFacts } from './revision-outcome.js';

type Reported = 'pending' | 'success' | 'failure' | 'superseded' | 'rejected';

/** Revisions remembered (the newest). */
const KEEP = 100;

/** What the tracker needs. */
export interface TrackerDeps {
  file: string;
  now: () => number;
  log: Logger;
  emit: (event: NewEvent) => void;
  /** Queues a commit status (absent without commitStatus in the config); resolves once it is on disk. */
  post?: (status: CommitStatus) => Promise<void>;
  targetUrl?: string;
  /** The fleet now: its revision and the facts of each of its hosts; undefined before a first good revision. */
  facts: () => { revision: string; hosts: HostFacts[] } | undefined;
}

/** The tracker of one controller. */
export class RevisionTracker {
  private saving: Promise<void> = Promise.resolve();

  private constructor(private readonly deps: TrackerDeps, private readonly memory: Map<string, { state: Reported; at: number }>) {}

  /** Loads what earlier runs reported (an unreadable file is logged and started afresh). */
  static async open(deps: TrackerDeps): Promise<RevisionTracker> {
    const text = await readFile(deps.file, 'utf8').catch(() => undefined);
    let entries: [string, { state: Reported; at: number }][] = [];
    try {
      entries = text === undefined ? [] : Object.entries(JSON.parse(text) as Record<string, { state: Reported; at: number }>);
    } catch {
      deps.log.warn({ file: deps.file }, 'the record of reported revisions is unreadable; starting afresh');
    }
    return new RevisionTracker(deps, new Map(entries));
  }

  /** True while some revision waits for its verdict (or may still turn from failure to success). */
  open(): boolean {
    return [...this.memory.values()].some((m) => m.state === 'pending' || m.state === 'failure');
  }

  /** A revision passed the gate: supersede older open ones, report it pending (once). */
  accepted(revision: string): void {
    if (this.memory.has(revision)) return;
    for (const [older, m] of this.memory) {
      if (m.state === 'pending') this.report(older, 'superseded', `superseded by ${short(revision)} before every host converged`);
      else if (m.state === 'failure') this.remember(older, 'superseded');
    }
    this.deps.emit({ type: 'revision.accepted', revision, commit: commitOf(revision) });
    this.report(revision, 'pending', 'accepted; reconciling the hosts');
  }

  /** A revision failed validation: report it (once), with its first problem. */
  rejected(revision: string, problems: string[]): void {
    if (this.memory.has(revision)) return;
    this.deps.emit({ type: 'revision.rejected', revision, commit: commitOf(revision), problems: problems.slice(0, 20), problemCount: problems.length });
    const first = problems[0] ? `: ${problems[0].replace(/\s+/g, ' ')}` : '';
    this.remember(revision, 'rejected', this.postStatus(revision, 'failure', `rejected, ${problems.length} problem${problems.length === 1 ? '' : 's'}${first}`));
  }

  /** Judges the fleet's revision and reports its verdict when it has one (call after anything changes). */
  evaluate(): void {
    const fleet = this.open() ? this.deps.facts() : undefined;
    const reported = fleet && this.memory.get(fleet.revision);
    if (!fleet || !reported || (reported.state !== 'pending' && reported.state !== 'failure')) return;
    const verdict = judgeRevision(fleet.hosts, fleet.revision);
    if (verdict.state === 'pending' || verdict.state === reported.state) return;
    this.report(fleet.revision, verdict.state, verdict.description, { counts: verdict.counts, failedHosts: verdict.failedHosts.slice(0, 50) });
  }

  /** Resolves once the memory file is written. */
  flush(): Promise<void> {
    return this.saving;
  }

  private report(revision: string, state: CommitState, description: string, detail?: { counts: OutcomeCounts; failedHosts: string[] }): void {
    this.remember(revision, state, this.postStatus(revision, state, description));
    if (state !== 'pending') {
      const counts = detail?.counts ?? { total: 0, synced: 0, failed: 0, rolledBack: 0, unreachable: 0, halted: 0, blocked: 0, suspended: 0, pending: 0 };
      this.deps.emit({ type: 'revision.finished', revision, commit: commitOf(revision), state, description: fit(description), counts, failedHosts: detail?.failedHosts ?? [] });
    }
  }

  /** Queues the status; resolves once it is on disk (at once when no status is posted). */
  private postStatus(revision: string, state: CommitState, description: string): Promise<void> {
    const sha = commitOf(revision);
    if (!this.deps.post || !/^[0-9a-f]{40,64}$/.test(sha)) return Promise.resolve();
    return this.deps.post({ sha, revision, state, description: fit(description), ...(this.deps.targetUrl ? { targetUrl: this.deps.targetUrl } : {}) });
  }

  /**
   * Records what was reported, written after `posted` (the status on disk): a controller killed between
   * the two judges the revision again at its next start rather than forget a status.
   */
  private remember(revision: string, state: Reported, posted: Promise<void> = Promise.resolve()): void {
    this.memory.delete(revision);
    this.memory.set(revision, { state, at: this.deps.now() });
    for (const old of [...this.memory.keys()].slice(0, Math.max(0, this.memory.size - KEEP))) this.memory.delete(old);
    const text = JSON.stringify(Object.fromEntries(this.memory), null, 1);
    this.saving = this.saving.then(() => posted).then(() => writeFileAtomic(this.deps.file, text)).catch((err: unknown) => {
      this.deps.log.error({ err: (err as Error).message }, 'cannot write the record of reported revisions');
    });
  }
}

function commitOf(revision: string): string {
  return parseRevisionName(revision)?.commit ?? '';
}

function short(revision: string): string {
  return commitOf(revision).slice(0, 7) || revision;
}
