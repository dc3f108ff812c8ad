/** GitHub Actions annotations of manifest problems (pure): file relative to the job's directory, line and column when known, escaped. */
import { describe, expect, it } from 'vitest';
import { githubAnnotation } from '../../../controller/cli/github-annotations.js';
import type { ManifestProblem } from '../../../manifests/errors.js';

const problem = (over: Partial<ManifestProblem>): ManifestProblem => ({ file: 'hosts/web1.yaml', line: 3, col: 5, path: '/resources/0/mode', message: 'must match pattern', ...over });

describe('githubAnnotation', () => {
  it('names the file from the job\'s directory, with line and column', () => {
    expect(githubAnnotation(problem({}), { root: '/ci/repo/manifests', cwd: '/ci/repo' }))
      .toBe('::error file=manifests/hosts/web1.yaml,line=3,col=5,title=drover validate::/resources/0/mode: must match pattern');
  });

  it('leaves out an unknown line and column, and escapes what GitHub reads as syntax', () => {
    expect(githubAnnotation(problem({ file: 'a,b:c.yaml', line: 0, col: 0, path: '', message: '100% wrong\nsecond line' }), { root: '/r', cwd: '/r' }))
      .toBe('::error file=a%2Cb%3Ac.yaml,title=drover validate::100%25 wrong%0Asecond line');
  });
});
