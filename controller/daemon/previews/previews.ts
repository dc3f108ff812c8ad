/**
 * The controller's previews: `start` fetches a ref into the source's mirror (the followed branch does
 * not move) and answers at once with a pending preview; the work (run-preview.ts) runs at most
 * `concurrency` previews at a time; each finished preview is announced through the
 * `previewFinished` event (DaemonEvents) and kept a bounded time and count (store.ts). A preview of a
 * commit already waiting or running against the same base is that preview.
 */
import pLimit from 'p-limit';
import { DroverError } from '../../../manifests/errors.js';
import type { GitSource, PreviewRevision } from '../../source/index.js';
import { runPreview, type PreviewRunDeps } from './run-preview.js';
import { PreviewStore } from './store.js';
import type { PreviewRequest, PreviewView } from './types.js';

/** Defaults of the config's `previews`. */
export const PREVIEW_DEFAULTS = { concurrency: 2, keep: 50, retentionMs: 3_600_000 } as const;

/** The previews of one controller. */
export interface Previews {
  /**
   * Fetches `request.ref` and queues its preview; resolves with it (`pending`, or the unfinished preview
   * of the same commit). Throws E_SOURCE_REF_NOT_FOUND for a ref the remote does not have, E_SOURCE_CONFIG
   * for a name that is no ref, the source's fetch errors, E_PREVIEW_LIMIT when too many are unfinished.
   */
  start(request: PreviewRequest): Promise<PreviewView>;
  /** A preview, or undefined when unknown or expired. */
  get(id: string): PreviewView | undefined;
  /** Stops previews in progress (they end `failed` with E_SHUTDOWN) and waits for them. */
  stop(): Promise<void>;
}

/** What createPreviews needs. */
export interface PreviewsOptions extends PreviewRunDeps {
  source: Pick<GitSource, 'fetchPreview'>;
  limits?: { concurrency?: number; keep?: number; retentionMs?: number };
}

/** Builds the previews over the controller's context, source and connections. */
export function createPreviews(options: PreviewsOptions): Previews {
  const { ctx } = options;
  const limits = { ...PREVIEW_DEFAULTS, ...options.limits };
  const store = new PreviewStore({ keep: limits.keep, retentionMs: limits.retentionMs, now: () => ctx.clock.now() });
  const slots = pLimit(limits.concurrency);
  const stopping = new AbortController();
  const running = new Set<Promise<void>>();
  let counter = 0;

  const work = async (id: string, revision: PreviewRevision): Promise<void> => {
    const fleet = ctx.fleet();
    store.update(id, { state: 'running', startedAt: ctx.clock.now() });
    const signal = AbortSignal.any([AbortSignal.timeout(ctx.settings.runTimeoutMs), stopping.signal]);
    try {
      // One that waited for a slot while the controller began to stop ends at once.
      stopping.signal.throwIfAborted();
      const { timings, ...outcome } = await runPreview(options, revision, fleet, signal);
      stopping.signal.throwIfAborted();
      finish(id, { state: 'done', ...outcome }, timings);
    } catch (err) {
      await revision.remove();
      if (!(err instanceof DroverError)) ctx.log.error({ err, previewId: id }, 'preview failed (a bug)');
      const error = err instanceof DroverError ? { code: err.code, message: err.message } : { code: 'E_INTERNAL', message: 'internal error (logged by the controller)' };
      finish(id, { state: 'failed', error });
    }
  };
  const finish = (id: string, change: Partial<PreviewView>, timings?: object): void => {
    const done = store.update(id, { ...change, finishedAt: ctx.clock.now() });
    if (!done) return;
    const changing = done.hosts.filter((h) => h.steps.length > 0).map((h) => h.host);
    ctx.log.info({ previewId: id, revision: done.revision, state: done.state, valid: done.validation?.valid, hosts: done.hosts.length, changing, code: done.error?.code, ...timings }, `preview ${id} ${done.state}`);
    try {
      ctx.events.previewFinished?.(done);
    } catch (err) {
      ctx.log.error({ err, previewId: id }, 'a previewFinished listener threw (a bug)');
    }
  };

  return {
    async start(request) {
      if (stopping.signal.aborted) throw new DroverError('E_SHUTDOWN', 'the controller is stopping; no new preview');
      const fetching = performance.now();
      const revision = await options.source.fetchPreview(request.ref, request.holder);
      const fetchMs = Math.round(performance.now() - fetching);
      const base = ctx.fleet()?.revision;
      const same = store.unfinished(revision.commit, base);
      if (same) {
        await revision.remove();
        return (request.pullRequest && !same.pullRequest ? store.update(same.previewId, { pullRequest: request.pullRequest }) : undefined) ?? same;
      }
      const preview: PreviewView = {
        previewId: `p${ctx.clock.now().toString(36)}-${(++counter).toString(36)}`, ref: request.ref, trigger: request.trigger ?? 'api', state: 'pending',
        createdAt: ctx.clock.now(), revision: revision.name, commit: revision.commit, hosts: [],
        ...(base === undefined ? {} : { base }), ...(request.pullRequest ? { pullRequest: request.pullRequest } : {}),
      };
      try {
        store.add(preview);
      } catch (err) {
        await revision.remove();
        throw err;
      }
      ctx.log.info({ previewId: preview.previewId, ref: request.ref, revision: revision.name, trigger: preview.trigger, fetchMs }, `preview ${preview.previewId} of ${request.ref} queued`);
      const job = slots(() => work(preview.previewId, revision)).finally(() => running.delete(job));
      running.add(job);
      return structuredClone(preview);
    },
    get: (id) => store.get(id),
    async stop() {
      stopping.abort(new DroverError('E_SHUTDOWN', 'the controller stopped before the preview ended'));
      await Promise.all(running);
    },
  };
}
