/**
 * Helpers of the HTTP e2e tests, on top of the controller e2e helpers (real bare remote, real
 * `drover controller` process): a controller with an API token and a webhook secret listening on a
 * free loopback port, its URL read from its log, authenticated JSON calls, webhook signatures, and a
 * digest of every file in a state directory (to prove a request changed nothing).
 */
import { createHash, createHmac } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Fleet } from '../../fleet/index.js';
import type { GitRemote } from '../../support/git-remote.js';
import { controllerConfig, startControllerProcess, type ControllerEnv, type ControllerProcess } from '../controller/support.js';

/** The token and webhook secret every HTTP test controller uses. */
export const API_TOKEN = 'test-api-token-0123456789abcdef';
export const WEBHOOK_SECRET = 'test-webhook-secret-fedcba9876543210';

/** A controller process with its HTTP URL. */
export interface HttpController extends ControllerProcess {
  url: string;
  dir: string;
}

/**
 * Writes the token and secret files, starts `drover controller` on 127.0.0.1:0 and resolves once its
 * listener is up (the URL comes from its "HTTP API listening" log line).
 */
export async function startHttpController(options: { dir: string; remote: GitRemote; fleet: Fleet; stateDir: string; extra?: Record<string, unknown> }): Promise<HttpController> {
  await writeFile(join(options.dir, 'api-token'), `${API_TOKEN}\n`, { mode: 0o600 });
  await writeFile(join(options.dir, 'webhook-secret'), `${WEBHOOK_SECRET}\n`, { mode: 0o600 });
  const config = controllerConfig({
    remote: options.remote, fleet: options.fleet, stateDir: options.stateDir,
    extra: { listen: '127.0.0.1:0', apiTokenFile: 'api-token', webhookSecretFile: 'webhook-secret', ...options.extra },
  });
  const ctl = await startControllerProcess({ dir: options.dir, config, stateDir: options.stateDir });
  const event = await ctl.waitForEvent((e) => typeof e.url === 'string' && e.msg.startsWith('HTTP API listening'), 'the HTTP listener');
  return Object.assign(ctl, { url: event.url as string, dir: options.dir });
}

/**
 * startHttpController on a useControllerEnv() set-up (its fleet, remote and dir; state in `stateDir`,
 * default env.stateDir), stopped in the env's afterAll before the fleet goes.
 */
export async function startHttpControllerIn(env: ControllerEnv, options: { stateDir?: string; extra?: Record<string, unknown> } = {}): Promise<HttpController> {
  const ctl = await startHttpController({
    dir: env.dir, remote: env.remote, fleet: env.fleet, stateDir: options.stateDir ?? env.stateDir,
    ...(options.extra ? { extra: options.extra } : {}),
  });
  env.onTeardown(() => ctl.stop());
  return ctl;
}

/** An answer: status, headers and the parsed JSON body (undefined when not JSON). */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

/** Sends a request; `token: true` adds the API token. */
export async function request(url: string, init: RequestInit & { token?: boolean | string } = {}): Promise<Answer> {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('authorization', `Bearer ${init.token === true ? API_TOKEN : init.token}`);
  const { token: _token, ...rest } = init;
  const response = await fetch(url, { ...rest, headers, redirect: 'manual' });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** POSTs `body` as JSON with the token. */
export function postJson(url: string, body: unknown): Promise<Answer> {
  return request(url, { method: 'POST', token: true, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** `sha256=<hex>` of `body` with `secret` (GitHub's X-Hub-Signature-256, the generic X-Signature). */
export function signature(body: string, secret = WEBHOOK_SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** A signed GitHub push of `ref`. */
export function githubPush(url: string, ref: string, secret = WEBHOOK_SECRET): Promise<Answer> {
  const body = JSON.stringify({ ref, after: '0'.repeat(40), repository: { full_name: 'ops/fleet' } });
  return request(`${url}/hooks/github`, {
    method: 'POST', body,
    headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': signature(body, secret) },
  });
}

/**
 * path (relative) -> sha256 of every file below `dir`, as a running controller keeps it: a file
 * being written (`.NAME.RANDOM.tmp`, renamed into place when done) is not part of its state yet.
 */
export async function digestTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile() || /^\..*\.tmp$/.test(entry.name)) continue;
    const full = join(entry.parentPath, entry.name);
    out[relative(dir, full)] = createHash('sha256').update(await readFile(full)).digest('hex');
  }
  return out;
}
