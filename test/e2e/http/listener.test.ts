/**
 * Where and how the API listens, with a real `drover controller` and a real Git remote: without a
 * token it refuses a non-loopback address before anything starts, and on loopback says at start that
 * the API is open; webhooks are rate-limited; with `tls` it serves HTTPS only, and the login cookie is
 * Secure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { runDrover } from '../../integration/cli/run-cli.js';
import { useGitRemote } from '../../support/git-remote.js';
import { startControllerProcess, tempDir, type ControllerProcess } from '../controller/support.js';
import { API_TOKEN, request } from './support.js';

const run = promisify(execFile);
const remote = useGitRemote();
let dir: string;
const running: ControllerProcess[] = [];

beforeAll(async () => {
  dir = await tempDir();
  // One host nobody answers for: these tests are about the listener, not the hosts.
  await remote.commit({ 'hosts/web1.yaml': stringify({ address: '127.0.0.1', port: 1, resources: [{ kind: 'directory', path: '/srv/x' }] }) });
  await writeFile(join(dir, 'api-token'), `${API_TOKEN}\n`);
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'tls.key'), '-out', join(dir, 'tls.crt')]);
});

afterAll(async () => {
  for (const ctl of running) await ctl.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const config = (extra: Record<string, unknown>): string => stringify({
  source: { url: remote.bare, branch: 'main', interval: '1h' }, stateDir: join(dir, `state-${running.length}`), logLevel: 'info',
  sshConnectTimeout: '1s', retry: { baseSeconds: 60, maxSeconds: 60 }, ...extra,
});

async function start(extra: Record<string, unknown>): Promise<{ ctl: ControllerProcess; url: string }> {
  const ctl = await startControllerProcess({ dir, config: config(extra), stateDir: join(dir, 'state') });
  running.push(ctl);
  const event = await ctl.waitForEvent((e) => typeof e.url === 'string' && e.msg.startsWith('HTTP API listening'), 'the HTTP listener');
  return { ctl, url: event.url as string };
}

describe('the listener', () => {
  it('refuses a non-loopback listen without a token, before anything starts', async () => {
    await writeFile(join(dir, 'open.yaml'), config({ listen: '0.0.0.0:0' }));
    const result = await runDrover(['controller', '--config', join(dir, 'open.yaml')], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('drover: listen 0.0.0.0:0 is not a loopback address and no API token is configured: set apiTokenFile or apiTokenEnv in the controller config, or listen on 127.0.0.1');
    expect(result.stdout).not.toContain('controller started');
  });

  it('without a token listens on loopback only, open, and says so at start', async () => {
    const { ctl, url } = await start({ listen: '127.0.0.1:0' });
    const warning = await ctl.waitForEvent((e) => e.msg.startsWith('no API token configured'), 'the warning');
    expect(warning.level).toBe(40);
    expect(warning.msg).toContain('listen on loopback only');
    expect((await request(`${url}/api/v1/hosts`)).status).toBe(200);
    // No webhook secret: webhooks are off, and rate-limited like any webhook call (60 a minute per address).
    const hook = (): Promise<Awaited<ReturnType<typeof request>>> => request(`${url}/hooks/github`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const first = await Promise.all(Array.from({ length: 60 }, hook));
    expect(new Set(first.map((a) => a.status))).toEqual(new Set([403]));
    expect(first[0]!.json).toEqual({ error: { code: 'E_WEBHOOK_DISABLED', message: 'webhooks are off: set webhookSecretFile or webhookSecretEnv in the controller config' } });
    const limited = await hook();
    expect(limited.status).toBe(429);
    expect(limited.json).toEqual({ error: { code: 'E_RATE_LIMITED', message: expect.stringMatching(/^too many requests: at most 60 a minute from one address; retry in \d+ s$/) } });
    expect(await ctl.stop()).toBe(0);
  });

  it('is not ready while the source cannot be fetched, says why, and answers API calls 503 until then', async () => {
    const { ctl, url } = await start({ listen: '127.0.0.1:0', source: { url: join(dir, 'no-such-remote.git'), branch: 'main', interval: '1h' } });
    const ready = await ctl.waitFor(async () => {
      const answer = await request(`${url}/readyz`);
      return (answer.json as { reason: string }).reason.startsWith('the first fetch failed') ? answer : undefined;
    }, 'the failed fetch');
    expect(ready.status).toBe(503);
    expect(ready.json).toEqual({ ready: false, reason: expect.stringMatching(/^the first fetch failed: E_SOURCE_\w+: /) });
    expect((await request(`${url}/healthz`)).json).toEqual({ ok: true });
    const sync = await request(`${url}/api/v1/sync`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"hosts":["web1"]}' });
    expect(sync.status).toBe(503);
    expect((sync.json as { error: { code: string } }).error.code).toBe('E_NOT_READY');
    expect(await ctl.stop()).toBe(0);
  });

  it('serves HTTPS with tls, with the token, and a Secure login cookie', async () => {
    const { url } = await start({ listen: '127.0.0.1:0', apiTokenFile: 'api-token', tls: { certFile: 'tls.crt', keyFile: 'tls.key' } });
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const ca = await readFile(join(dir, 'tls.crt'));
    const status = await httpsGet(`${url}/api/v1/status`, ca, { authorization: `Bearer ${API_TOKEN}` });
    expect(status.status).toBe(200);
    expect(JSON.parse(status.body)).toMatchObject({ source: { url: remote.bare } });
    expect((await httpsGet(`${url}/api/v1/status`, ca, {})).status).toBe(401);
    const login = await httpsGet(`${url}/login`, ca, { 'content-type': 'application/x-www-form-urlencoded' }, `token=${API_TOKEN}`);
    expect(login.status).toBe(303);
    expect(login.headers['set-cookie']?.[0]).toMatch(/^drover_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+; Secure$/);
    await expect(fetch(url.replace('https:', 'http:') + '/healthz')).rejects.toThrow();
  });
});

function httpsGet(url: string, ca: Buffer, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string; headers: Record<string, string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method: body === undefined ? 'GET' : 'POST', ca, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => { text += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: { 'set-cookie': res.headers['set-cookie'] } }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
