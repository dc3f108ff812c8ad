/**
 * The demo's `drover controller` process (the built CLI, bin/drover.js) and the calls the demo makes
 * to its HTTP API: the same endpoints and headers the printed curl commands use.
 */
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { HostDetail, HostView } from '../../../controller/daemon/api.js';
import { startControllerProcess, type ControllerProcess } from '../../e2e/controller/support.js';
import type { DemoWorld } from './setup.js';
import { DemoStepFailed } from './wait.js';

/** The running controller and how to reach it. */
export interface DemoController {
  process: ControllerProcess;
  url: string;
  token: string;
}

/** The parts of GET /api/v1/status the demo reads. */
export interface StatusAnswer {
  revisions: { newest: string | null; lastGood: string | null };
  /** `problems` are formatted `file:line:col  path  message`. */
  validation: { state: 'valid' | 'rejected' | 'unknown'; rejected?: { revision: string; problems: string[] } };
}

/** Starts `drover controller --config FILE` and resolves once its HTTP listener is up. */
export async function startController(world: DemoWorld): Promise<DemoController> {
  // Its own process group: Ctrl-C reaches the demo, which stops the controller with SIGTERM as a service manager would.
  const ctl = await startControllerProcess({ dir: world.dir, args: ['--config', world.configFile], stateDir: world.stateDir, detached: true });
  const event = await ctl.waitForEvent((e) => typeof e.url === 'string' && e.msg.startsWith('HTTP API listening'), 'the HTTP listener');
  return { process: ctl, url: event.url as string, token: (await readFile(world.tokenFile, 'utf8')).trim() };
}

/** GET `path` with the API token; resolves with the parsed JSON, throws DemoStepFailed on a non-2xx answer. */
export async function apiGet<T>(ctl: DemoController, path: string): Promise<T> {
  const response = await fetch(`${ctl.url}${path}`, { headers: { authorization: `Bearer ${ctl.token}` } });
  const text = await response.text();
  if (!response.ok) throw new DemoStepFailed(`GET ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** Every host as the controller sees it now. */
export async function liveHosts(ctl: DemoController): Promise<HostView[]> {
  return (await apiGet<{ hosts: HostView[] }>(ctl, '/api/v1/hosts')).hosts;
}

/** One host with its history. */
export function liveHost(ctl: DemoController, name: string): Promise<HostDetail> {
  return apiGet<HostDetail>(ctl, `/api/v1/hosts/${name}`);
}

/** The controller's source and validation state. */
export function liveStatus(ctl: DemoController): Promise<StatusAnswer> {
  return apiGet<StatusAnswer>(ctl, '/api/v1/status');
}

/** The GitHub push webhook body the demo sends, and the curl command a user would type for it. */
export function webhookCommand(url: string): { body: string; lines: string[] } {
  const body = '{"ref":"refs/heads/main"}';
  return {
    body,
    lines: [
      `BODY='${body}'`,
      'SIG=$(printf %s "$BODY" | openssl dgst -sha256 -hmac "$(cat $SECRET_FILE)" | cut -d" " -f2)',
      `curl -s -H 'Content-Type: application/json' -H 'X-GitHub-Event: push' -H "X-Hub-Signature-256: sha256=$SIG" -d "$BODY" ${url}/hooks/github`,
    ],
  };
}

/** Sends the signed push webhook; resolves with the answer's status and body. */
export async function sendWebhook(ctl: DemoController, secret: string): Promise<{ status: number; body: string }> {
  const { body } = webhookCommand(ctl.url);
  const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  const response = await fetch(`${ctl.url}/hooks/github`, {
    method: 'POST', body,
    headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': signature },
  });
  return { status: response.status, body: await response.text() };
}

/** /metrics as text (no token needed). */
export async function metricsText(ctl: DemoController): Promise<string> {
  const response = await fetch(`${ctl.url}/metrics`);
  if (!response.ok) throw new DemoStepFailed(`GET /metrics answered ${response.status}`);
  return response.text();
}
