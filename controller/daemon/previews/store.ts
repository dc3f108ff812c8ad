/**
 * Previews in memory, bounded in count and time: a finished preview is forgotten `retentionMs` after
 * it finished, and past `keep` previews the oldest finished one goes; a new one is refused
 * (E_PREVIEW_LIMIT) while `keep` are unfinished. Nothing is written to disk.
 */
import { DroverError } from '../../../manifests/errors.js';
import type { PreviewView } from './types.js';

/** The store's bounds and clock. */
export interface PreviewStoreOptions {
  keep: number;
  retentionMs: number;
  now: () => number;
}

/** Previews by id, oldest first. */
export class PreviewStore {
  private readonly previews = new Map<string, PreviewView>();

  constructor(private readonly options: PreviewStoreOptions) {}

  /** Adds a new preview, making room first; throws E_PREVIEW_LIMIT when `keep` previews are unfinished. */
  add(preview: PreviewView): void {
    this.expire();
    if (this.previews.size >= this.options.keep) {
      const oldest = [...this.previews.values()].find(finished);
      if (!oldest) throw new DroverError('E_PREVIEW_LIMIT', `${this.options.keep} previews are unfinished (config previews.keep); retry when some are done`);
      this.previews.delete(oldest.previewId);
    }
    this.previews.set(preview.previewId, preview);
  }

  /** A copy of the preview, or undefined when unknown or expired. */
  get(id: string): PreviewView | undefined {
    this.expire();
    const preview = this.previews.get(id);
    return preview && structuredClone(preview);
  }

  /** Replaces a preview's fields (a preview forgotten meanwhile stays forgotten); returns the new preview. */
  update(id: string, change: Partial<PreviewView>): PreviewView | undefined {
    const preview = this.previews.get(id);
    if (!preview) return undefined;
    const next = { ...preview, ...change };
    this.previews.set(id, next);
    return structuredClone(next);
  }

  /** The unfinished preview of `commit` compared with `base`, if any (asking twice runs it once). */
  unfinished(commit: string, base: string | undefined): PreviewView | undefined {
    const found = [...this.previews.values()].find((p) => !finished(p) && p.commit === commit && p.base === base);
    return found && structuredClone(found);
  }

  private expire(): void {
    const before = this.options.now() - this.options.retentionMs;
    for (const [id, p] of this.previews) if (p.finishedAt !== undefined && p.finishedAt <= before) this.previews.delete(id);
  }
}

function finished(preview: PreviewView): boolean {
  return preview.state === 'done' || preview.state === 'failed';
}
