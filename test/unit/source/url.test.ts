import { describe, expect, it } from 'vitest';
import { absoluteUrl, classifyUrl, displayUrl } from '../../../controller/source/url.js';

describe('classifyUrl', () => {
  it.each([
    ['/srv/repo.git', 'local'],
    ['repo', 'local'],
    ['./a:b', 'local'],
    ['file:///srv/repo.git', 'file'],
    ['ssh://git@example.com:2222/org/repo.git', 'ssh'],
    ['git@github.com:org/repo.git', 'ssh'],
    ['host:repo', 'ssh'],
    ['https://github.com/org/repo.git', 'http'],
    ['HTTP://127.0.0.1:8080/repo.git', 'http'],
    ['git://127.0.0.1/repo.git', 'git'],
  ])('%s is %s', (url, kind) => {
    expect(classifyUrl(url)).toEqual({ kind });
  });

  it.each([
    ['', 'is empty'],
    ['-oProxyCommand=touch /tmp/x', 'starts with "-"'],
    ['ext::sh -c touch% /tmp/pwned', 'remote helper'],
    ['fd::3', 'remote helper'],
    ['ftp://example.com/repo.git', 'unsupported scheme "ftp"'],
  ])('refuses %j', (url, problem) => {
    const result = classifyUrl(url);
    expect('problem' in result && result.problem).toContain(problem);
  });
});

describe('absoluteUrl and displayUrl', () => {
  it('makes relative local paths absolute and leaves others', () => {
    expect(absoluteUrl('repos/a', 'local', '/srv')).toBe('/srv/repos/a');
    expect(absoluteUrl('/x', 'local', '/srv')).toBe('/x');
    expect(absoluteUrl('host:repo', 'ssh', '/srv')).toBe('host:repo');
  });

  it('hides credentials in URLs', () => {
    expect(displayUrl('https://user:s3cret@example.com/r.git')).toBe('https://***@example.com/r.git');
    expect(displayUrl('https://example.com/r.git')).toBe('https://example.com/r.git');
  });
});
