/**
 * Which node_modules the baseline's worktree gets: the packages its lock names that the current lock
 * lacks or holds at another version (test/fixtures/bench/lock-*.json).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeDependencies, lockDifferences, type PackageLock } from '../../bench/lock-diff.js';

const lock = (name: string): PackageLock => JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/bench', name), 'utf8')) as PackageLock;

describe('lockDifferences', () => {
  const diff = lockDifferences(lock('lock-baseline.json'), lock('lock-current.json'));

  it('lists the baseline\'s packages the current lock lacks, nested ones by their path, links skipped', () => {
    expect(diff.absent).toEqual(['old-only', 'fastify > semver']);
  });

  it('lists the packages at another version (baseline -> current), not the new ones', () => {
    expect(diff.otherVersion).toEqual(['fastify 5.1.0 -> 5.12.8']);
  });

  it('finds nothing between a lock and itself', () => {
    expect(lockDifferences(lock('lock-current.json'), lock('lock-current.json'))).toEqual({ absent: [], otherVersion: [] });
  });
});

describe('describeDependencies', () => {
  it('says whether the current node_modules were linked, and which versions differ', () => {
    expect(describeDependencies({ absent: [], otherVersion: [] }, false)).toMatch(/linked .*the same locked versions/);
    expect(describeDependencies({ absent: [], otherVersion: ['a 1 -> 2', 'b 1 -> 2', 'c 1 -> 2', 'd 1 -> 2'] }, false)).toMatch(/4 package\(s\) .*\(a 1 -> 2, b 1 -> 2, c 1 -> 2, \.\.\.\)/);
    expect(describeDependencies({ absent: ['x'], otherVersion: [] }, true)).toMatch(/npm ci --offline \(1 of its packages/);
  });
});
