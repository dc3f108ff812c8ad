/** Small shared pieces of the source integration tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { DroverError } from '../../../manifests/errors.js';
import type { SourceSpec } from '../../../controller/source/index.js';

/** A spec following `main` of `url`, with a generous time limit; `overrides` win. */
export function sourceSpec(url: string, overrides: Partial<SourceSpec> = {}): SourceSpec {
  return { url, ref: { branch: 'main' }, timeoutMs: 20_000, allowNonFastForward: false, verifySignatures: false, ...overrides };
}

/** The DroverError `promise` rejects with (fails the test when it resolves or rejects with something else). */
export async function rejection(promise: Promise<unknown>): Promise<DroverError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DroverError);
  return error as DroverError;
}

/**
 * A temp dir made on first use of `path` (so a describe block that a filter skips leaves nothing
 * behind), and its removal.
 */
export function tempDir(prefix: string): { readonly path: string; remove(): void } {
  let made: string | undefined;
  return {
    get path() {
      return (made ??= mkdtempSync(join(tmpdir(), prefix)));
    },
    remove: () => {
      if (made) rmSync(made, { recursive: true, force: true });
      made = undefined;
    },
  };
}
