import { describe, expect, it } from 'vitest';
import { describeRef, fetchRefspec, mirrorRef, parseRevisionName, refNameProblem, revisionName } from '../../../controller/source/ref.js';

const sha = '0123456789abcdef0123456789abcdef01234567';

describe('revision names', () => {
  it.each([
    [{ branch: 'main' }, `main@sha1:${sha}`],
    [{ branch: 'release/2.x' }, `release/2.x@sha1:${sha}`],
    [{ tag: 'v1' }, `v1@sha1:${sha}`],
    [{ commit: sha }, `sha1:${sha}`],
  ])('names %j as %s and parses it back', (ref, name) => {
    expect(revisionName(ref, sha)).toBe(name);
    const parsed = parseRevisionName(name);
    expect(parsed?.commit).toBe(sha);
    expect(parsed?.ref).toBe('commit' in ref ? undefined : Object.values(ref)[0]);
  });

  it.each(['main', 'main@sha1:123', `main@sha1:${sha.toUpperCase()}`, `main@sha256:${sha}`, ''])('does not parse %j', (name) => {
    expect(parseRevisionName(name)).toBeUndefined();
  });
});

describe('refs in the mirror', () => {
  it('keeps branches and tags apart and forces the fetch', () => {
    expect(mirrorRef({ branch: 'main' })).toBe('refs/heads/main');
    expect(mirrorRef({ tag: 'main' })).toBe('refs/tags/main');
    expect(fetchRefspec({ branch: 'main' })).toBe('+refs/heads/main:refs/heads/main');
    expect(fetchRefspec({ tag: 'v1' })).toBe('+refs/tags/v1:refs/tags/v1');
    expect(fetchRefspec({ commit: sha })).toBe(sha);
    expect(describeRef({ tag: 'v1' })).toBe('tag "v1"');
  });
});

describe('ref name problems', () => {
  it.each(['main', 'release/2.x', 'feature-1', 'v1.0.0'])('accepts %s', (name) => {
    expect(refNameProblem(name)).toBeUndefined();
  });
  it.each([
    ['', 'is empty'],
    ['--upload-pack=x', 'starts with "-"'],
    ['a b', 'contains a space'],
    ['a..b', 'contains ".."'],
    ['a:b', 'contains a space'],
    ['main.lock', 'ends with'],
    ['/main', 'starts or ends'],
    ['a@{1}', '"@{"'],
  ])('refuses %j', (name, problem) => {
    expect(refNameProblem(name)).toContain(problem);
  });
});
