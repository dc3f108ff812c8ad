/**
 * The source loop: fetch the followed ref on an interval (plus jitter) or when triggered, pass each
 * new revision through the validation gate once, and hand accepted revisions on. A rejected revision
 * is logged once and not validated again until the ref moves; a failed fetch keeps the last revision.
 */
import { DroverError, formatProblem, scrubSecrets } from '../../../manifests/errors.js';
import type { ManifestValidator } from '../../../manifests/validate.js';
import type { AgeIdentity } from '../../config/types.js';
import type { GitSource, Revision } from '../../source/index.js';
import type { Clock, Random, Timer } from '../clock.js';
import type { DaemonEvents } from '../context.js';
import { validateRevision, type GateResult } from './validate-revision.js';
import type { Logger } from '../log.js';
import type { StateStore } from '../state/state.js';
import { nextFetchAt } from '../work/schedule.js';

/** What the loop needs. */
export interface SourceLoopOptions {
  source: GitSource;
  store: StateStore;
  clock: Clock;
  random: Random;
  log: Logger;
  intervalMs: number;
  jitterMs: number;
  validator?: ManifestValidator;
  /** Decrypts the revisions' secrets/*.age (see validateRevision). */
  ageIdentity?: AgeIdentity;
  /** Fetch and gate events (metrics). */
  events?: Pick<DaemonEvents, 'fetched' | 'revisionJudged' | 'revisionRejected'>;
  /** A revision already gated by the caller (restored at start): not validated again when fetched. */
  seen?: string;
  /** Called with each newly accepted revision, in order (awaited before the next fetch). */
  onAccepted: (accepted: Extract<GateResult, { accepted: true }>) => Promise<void>;
}

/** The running loop. */
export interface SourceLoop {
  /** Fetches now and then on the interval. */
  start(): void;
  /** Fetches as soon as possible (coalesced with a fetch in flight); resolves when that fetch is done. */
  triggerFetch(): Promise<void>;
  /** Stops fetching; resolves when a fetch in flight is done. */
  stop(): Promise<void>;
}

/** Creates the loop (nothing runs until start()). */
export function createSourceLoop(options: SourceLoopOptions): SourceLoop {
  const { clock, log, store } = options;
  let timer: Timer | undefined;
  let stopped = false;
  let inFlight: Promise<void> | undefined;
  let again: Promise<void> | undefined;
  /** The newest revision seen by this process (validated once; the gate is not re-run for it). */
  let seen: string | undefined = options.seen;

  const schedule = (): void => {
    if (stopped) return;
    timer?.cancel();
    const at = nextFetchAt(clock.now(), { intervalMs: options.intervalMs, jitterMs: options.jitterMs, random: options.random });
    timer = clock.setTimer(at - clock.now(), () => void fetchNow());
  };

  async function fetchOnce(): Promise<void> {
    const at = clock.now();
    let revision: Revision;
    try {
      revision = await options.source.fetchRevision();
    } catch (err) {
      await recordFetchError(err, at);
      return;
    }
    const fetched = { ...store.controller(), newestRevision: revision.name, lastFetchAt: at, lastFetchSuccessAt: at, consecutiveFetchFailures: 0 };
    delete fetched.lastFetchError;
    await store.saveController(fetched);
    options.events?.fetched?.({ ok: true, atMs: at, revision: revision.name });
    if (revision.name === seen) return;
    seen = revision.name;
    const gate = await validateRevision(revision, options.validator, options.ageIdentity);
    options.events?.revisionJudged?.(revision.name, gate.accepted);
    if (!gate.accepted) {
      await reject(gate);
      return;
    }
    const { rejected: _rejected, ...now } = store.controller();
    await store.saveController({ ...now, lastGoodRevision: revision.name });
    log.info({ revision: revision.name }, 'revision accepted');
    try {
      await options.onAccepted(gate);
    } catch (err) {
      // Not installed (a state write failed): the next fetch hands the same revision on again.
      seen = undefined;
      throw err;
    }
  }

  async function reject(gate: Extract<GateResult, { accepted: false }>): Promise<void> {
    const record = store.controller();
    await store.saveController({ ...record, rejected: { revision: gate.revision.name, problems: gate.problems, at: clock.now() } });
    log.error({ revision: gate.revision.name, problems: gate.problems.map(formatProblem), lastGoodRevision: record.lastGoodRevision },
      `revision rejected: ${gate.problems.length} problem${gate.problems.length === 1 ? '' : 's'}; hosts stay on the last good revision`);
    options.events?.revisionRejected?.(gate.revision.name, gate.problems.map(formatProblem));
  }

  async function recordFetchError(err: unknown, at: number): Promise<void> {
    const code = err instanceof DroverError ? err.code : 'E_INTERNAL';
    const message = scrubSecrets(err instanceof Error ? err.message : String(err));
    const record = store.controller();
    const failures = record.consecutiveFetchFailures + 1;
    await store.saveController({ ...record, lastFetchAt: at, lastFetchError: { code, message, at }, consecutiveFetchFailures: failures });
    options.events?.fetched?.({ ok: false, atMs: at, code });
    log.warn({ code, failures, lastGoodRevision: record.lastGoodRevision }, `fetch failed: ${message}`);
  }

  function fetchNow(): Promise<void> {
    if (stopped) return Promise.resolve();
    if (inFlight) {
      again ??= inFlight.then(() => {
        again = undefined;
        return fetchNow();
      });
      return again;
    }
    timer?.cancel();
    inFlight = fetchOnce()
      .catch((err: unknown) => log.error({ err }, 'source loop error'))
      .finally(() => {
        inFlight = undefined;
        schedule();
      });
    return inFlight;
  }

  return {
    start: () => void fetchNow(),
    triggerFetch: fetchNow,
    async stop() {
      stopped = true;
      timer?.cancel();
      await inFlight;
    },
  };
}
