import { describe, expect, it } from 'vitest';
import { fetchError, type FetchContext } from '../../../controller/source/errors.js';
import { GitCommandFailure } from '../../../controller/source/git-run.js';

const ctx: FetchContext = {
  action: 'fetching branch "main" from https://example.com/r.git', ref: 'branch "main"', url: 'https://example.com/r.git',
  urlKind: 'http', timeoutMs: 5000, token: 'tok-SECRET', knownHostsFile: '/etc/drover/known_hosts', sshKeyFile: '/etc/drover/key',
};
const failed = (output: string) => new GitCommandFailure(output, 128, false);

describe('fetchError', () => {
  it.each([
    ["fatal: '/srv/r.git' does not appear to be a git repository\nfatal: Could not read from remote repository.", 'E_SOURCE_FETCH', 'transient', 'server reachable'],
    ['fatal: unable to access \'https://example.com/r.git/\': Could not resolve host: example.com', 'E_SOURCE_FETCH', 'transient', 'Could not resolve host'],
    ['Host key verification failed.\nfatal: Could not read from remote repository.', 'E_SOURCE_HOST_KEY', 'stalled', '/etc/drover/known_hosts'],
    ['git@h: Permission denied (publickey).', 'E_SOURCE_AUTH', 'stalled', 'refused the credentials'],
    ["fatal: could not read Username for 'https://example.com': terminal prompts disabled", 'E_SOURCE_AUTH', 'stalled', 'token'],
    ['fatal: couldn\'t find remote ref refs/heads/main', 'E_SOURCE_REF_NOT_FOUND', 'stalled', 'check the ref'],
    ['ssh: connect to host 10.0.0.1 port 22: Connection timed out', 'E_SOURCE_TIMEOUT', 'transient', '5000 ms'],
  ])('%s -> %s', (output, code, kind, hint) => {
    const error = fetchError(failed(output), ctx);
    expect(error.code).toBe(code);
    expect(error.kind).toBe(kind);
    expect(error.message).toContain(ctx.action);
    expect(error.message).toContain(hint);
  });

  it("quotes ssh's changed-host-key warning without its @@@ frame, with the fingerprint", () => {
    const output = [
      '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
      '@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @',
      '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
      'IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!',
      'The fingerprint for the ED25519 key sent by the remote host is',
      'SHA256:dc9gxX5XrMrIQQKhExSGHap1YCHlfIal+JoyVx3EY1o.',
      'Host key for 127.77.1.2 has changed and you have requested strict checking.',
      'Host key verification failed.',
      'fatal: Could not read from remote repository.',
    ].join('\n');
    const error = fetchError(failed(output), { ...ctx, urlKind: 'ssh' });
    expect(error.code).toBe('E_SOURCE_HOST_KEY');
    expect(error.message).toBe(
      `${ctx.action} failed (WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!; SHA256:dc9gxX5XrMrIQQKhExSGHap1YCHlfIal+JoyVx3EY1o.; ` +
        "Host key for 127.77.1.2 has changed and you have requested strict checking.): the server's host key is not in the known_hosts file " +
        '/etc/drover/known_hosts or does not match it; check the server\'s key fingerprint out of band and add it to that file (drover never trusts a host key on first use)',
    );
  });

  it('names the deploy key for ssh', () => {
    expect(fetchError(failed('Permission denied (publickey).'), { ...ctx, urlKind: 'ssh' }).message).toContain('/etc/drover/key');
  });

  it('calls a time-out a time-out, whatever git printed', () => {
    const error = fetchError(new GitCommandFailure('', undefined, true), ctx);
    expect(error.code).toBe('E_SOURCE_TIMEOUT');
    expect(error.kind).toBe('transient');
  });

  it('never lets the token or URL credentials through', () => {
    const error = fetchError(failed("fatal: unable to access 'https://u:tok-SECRET@example.com/': header Authorization: tok-SECRET"), ctx);
    expect(error.message).not.toContain('tok-SECRET');
    expect(error.message).toContain('https://***@example.com/');
    expect(error.cause).toBeUndefined();
  });
});
