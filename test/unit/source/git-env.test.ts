import { describe, expect, it } from 'vitest';
import { authorizationHeader, gitEnvironment, scrubToken, shellQuote, sshCommand } from '../../../controller/source/git-env.js';
import type { SourceSpec } from '../../../controller/source/types.js';

const spec: SourceSpec = { url: 'https://example.com/r.git', ref: { branch: 'main' }, timeoutMs: 2500, allowNonFastForward: false, verifySignatures: false };

describe('sshCommand', () => {
  it('uses only the given key and known_hosts, strictly, with no config file', () => {
    const command = sshCommand({ sshKeyFile: "/keys/dep'loy", knownHostsFile: '/etc/drover/known hosts', timeoutMs: 2500 });
    expect(command).toBe(
      "ssh -F /dev/null -o BatchMode=yes -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes -o UpdateHostKeys=no " +
        "-o ConnectTimeout=3 -o ServerAliveInterval=15 -o LogLevel=ERROR -i '/keys/dep'\\''loy' " +
        "-o 'UserKnownHostsFile=/etc/drover/known hosts' -o GlobalKnownHostsFile=/dev/null",
    );
  });

  it('quotes for the shell', () => {
    expect(shellQuote("a'b $c")).toBe("'a'\\''b $c'");
  });
});

describe('gitEnvironment', () => {
  it('passes only PATH and HOME on, and the token only as a config value', () => {
    const env = gitEnvironment({ ...spec, token: 'tok-123' }, { PATH: '/bin', HOME: '/root', EDITOR: 'vi', GIT_ASKPASS: '/x', SSH_AUTH_SOCK: '/s' });
    expect(env).toEqual({
      PATH: '/bin', HOME: '/root', LC_ALL: 'C', LANG: 'C',
      GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_SSH_COMMAND: sshCommand(spec),
      GIT_CONFIG_COUNT: '3',
      GIT_CONFIG_KEY_0: 'http.lowSpeedLimit', GIT_CONFIG_VALUE_0: '1',
      GIT_CONFIG_KEY_1: 'http.lowSpeedTime', GIT_CONFIG_VALUE_1: '3',
      GIT_CONFIG_KEY_2: 'http.extraHeader', GIT_CONFIG_VALUE_2: `Authorization: Basic ${Buffer.from('x-access-token:tok-123').toString('base64')}`,
    });
  });

  it('has no header without a token', () => {
    expect(Object.values(gitEnvironment(spec, {})).some((v) => v.includes('Authorization'))).toBe(false);
  });
});

describe('scrubToken', () => {
  it('removes the token and its header value', () => {
    const header = authorizationHeader('tok-123');
    expect(scrubToken(`a tok-123 b ${header} c`, 'tok-123')).toBe('a *** b Basic *** c');
    expect(scrubToken('tok-123', undefined)).toBe('tok-123');
  });
});
