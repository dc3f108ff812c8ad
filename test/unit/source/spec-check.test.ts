import { describe, expect, it } from 'vitest';
import { sourceSpecProblems } from '../../../controller/source/spec-check.js';
import type { SourceSpec } from '../../../controller/source/types.js';

const spec: SourceSpec = { url: '/srv/r.git', ref: { branch: 'main' }, timeoutMs: 1000, allowNonFastForward: false, verifySignatures: false };

describe('sourceSpecProblems', () => {
  it('accepts a sound spec', () => {
    expect(sourceSpecProblems(spec)).toEqual([]);
    expect(sourceSpecProblems({ ...spec, url: 'https://h/r.git', token: 't', path: 'deploy/prod', verifySignatures: true, allowedSignersFile: '/a' })).toEqual([]);
  });

  it.each<[Partial<SourceSpec>, string]>([
    [{ url: 'ext::sh' }, 'url: "ext::sh" uses a git remote helper'],
    [{ ref: { commit: 'abc' } }, 'ref.commit: "abc" is not a full 40-hex commit id'],
    [{ ref: { tag: '-x' } }, 'ref.tag: "-x" starts with "-"'],
    [{ ref: { branch: 'a', tag: 'b' } as never }, 'ref: give exactly one of branch, tag, commit'],
    [{ path: '../etc' }, 'path: "../etc" must be relative'],
    [{ path: '/etc' }, 'path: "/etc" must be relative'],
    [{ timeoutMs: 1.5 }, 'timeoutMs: 1.5 must be a positive whole number'],
    [{ verifySignatures: true }, 'allowedSignersFile: verifySignatures needs'],
    [{ token: 'secret' }, 'token: a token is only sent to https:// URLs'],
    [{ token: 'secret', url: 'http://git.example.com/r.git' }, 'token: the token would travel unencrypted over http://'],
  ])('%j -> %s', (overrides, problem) => {
    expect(sourceSpecProblems({ ...spec, ...overrides })).toEqual([expect.stringContaining(problem)]);
  });

  it.each(['http://127.0.0.1:8080/r.git', 'http://localhost/r.git', 'http://[::1]:80/r.git', 'HTTPS://git.example.com/r.git'])('sends a token to %s', (url) => {
    expect(sourceSpecProblems({ ...spec, url, token: 't' })).toEqual([]);
  });

  it('does not echo URL credentials', () => {
    expect(sourceSpecProblems({ ...spec, url: 'ftp://u:pw@h/r' }).join()).not.toContain('pw');
  });
});
