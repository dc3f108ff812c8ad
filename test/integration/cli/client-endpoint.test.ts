/**
 * Which controller `drover sync|suspend|resume|hosts --controller` ask, from a real config file on
 * disk: flags first, then DROVER_URL / DROVER_TOKEN(_FILE), then the config's listen, tls and token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { resolveEndpoint } from '../../../controller/cli/client/endpoint.js';
import type { CliIo } from '../../../controller/cli/io.js';

let dir: string;
const io = (env: Record<string, string> = {}, cwd = dir): CliIo => ({ stdout: { write: () => true }, stderr: { write: () => true }, env, cwd });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drover-endpoint-'));
  await writeFile(join(dir, 'token'), 'from-config-file\n');
  await writeFile(join(dir, 'other-token'), 'from-flag\n');
  await writeFile(join(dir, 'tls.crt'), 'x');
  await writeFile(join(dir, 'tls.key'), 'x');
  await writeFile(join(dir, 'drover.config.yaml'), stringify({
    source: { url: '/srv/fleet' }, listen: '0.0.0.0:9443', apiTokenFile: 'token', tls: { certFile: 'tls.crt', keyFile: 'tls.key' },
  }));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('resolveEndpoint', () => {
  it('reads the config in the working directory: its listen (on this machine), tls and token', async () => {
    expect(await resolveEndpoint(io(), {})).toEqual({ url: 'https://127.0.0.1:9443', token: 'from-config-file' });
  });

  it('prefers the environment, and flags over the environment', async () => {
    expect(await resolveEndpoint(io({ DROVER_URL: 'http://ctl:8080/', DROVER_TOKEN: 'from-env' }), {})).toEqual({ url: 'http://ctl:8080', token: 'from-env' });
    expect(await resolveEndpoint(io({ DROVER_URL: 'http://ctl:8080', DROVER_TOKEN: 'from-env' }), { controller: 'http://other:1', tokenFile: 'other-token' }))
      .toEqual({ url: 'http://other:1', token: 'from-flag' });
    expect(await resolveEndpoint(io({ DROVER_TOKEN_FILE: join(dir, 'other-token') }), {})).toEqual({ url: 'https://127.0.0.1:9443', token: 'from-flag' });
  });

  it('says where it looked when there is no controller to ask, and refuses a bad URL', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'drover-endpoint-none-'));
    try {
      await expect(resolveEndpoint(io({}, empty), {})).rejects.toThrow('no controller to ask: pass --controller URL, set DROVER_URL');
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
    await expect(resolveEndpoint(io(), { controller: 'ctl:8080' })).rejects.toThrow('controller URL ctl:8080 must start with http:// or https://');
    await expect(resolveEndpoint(io(), { controller: 'http://x', tokenFile: 'missing' })).rejects.toThrow('cannot read the token file missing: ENOENT');
  });
});
