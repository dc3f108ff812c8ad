/**
 * A small JSON client of the controller's /api/v1 (Node's fetch). Errors become DroverError: the
 * controller's own `{error: {code, message}}` keeps its code; a refused connection says which URL.
 */
import { DroverError, isErrorCode } from '../../../manifests/errors.js';
import type { HostDetail, HostView } from '../../daemon/api.js';
import type { RolloutView } from '../../daemon/rollouts/rollouts.js';
import type { SyncRun } from '../../daemon/work/runs.js';
import type { PreviewView } from '../../daemon/previews/types.js';
import type { EventPage } from '../../daemon/report/event-query.js';
import type { ControllerEndpoint } from './endpoint.js';

/** What `GET /api/v1/status` answers (the fields the CLI reads). */
export interface StatusAnswer {
  ready: boolean;
  revisions: { newest: string | null; lastGood: string | null };
  validation: { state: string };
}

/** The calls the CLI makes. */
export interface ControllerClient {
  status(): Promise<StatusAnswer>;
  hosts(): Promise<HostView[]>;
  host(name: string): Promise<HostDetail>;
  sync(request: { hosts?: string[]; dryRun?: boolean; overrideWindow?: boolean; forceConflict?: boolean }): Promise<{ runId: string }>;
  run(id: string): Promise<SyncRun>;
  suspend(name: string): Promise<HostView>;
  resume(name: string): Promise<HostView>;
  /** Resumes halted rollouts (one lane, default all); the rollouts after it. */
  resumeRollout(request: { lane?: string }): Promise<RolloutView[]>;
  /** Starts a preview of `ref` (POST /api/v1/previews); the preview, pending. */
  startPreview(ref: string): Promise<Pick<PreviewView, 'previewId' | 'state' | 'ref' | 'revision' | 'commit' | 'base'>>;
  preview(id: string): Promise<PreviewView>;
  /** A page of the event log (GET /api/v1/events). */
  events(query: { host?: string; order?: 'asc' | 'desc'; limit?: number }): Promise<EventPage>;
}

/** A client of `endpoint`. */
export function createControllerClient(endpoint: ControllerEndpoint): ControllerClient {
  const call = async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (endpoint.token) headers.authorization = `Bearer ${endpoint.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${endpoint.url}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new DroverError('E_CONTROLLER_UNREACHABLE', `cannot reach the controller at ${endpoint.url}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      throw new DroverError('E_CONTROLLER_ANSWER', `${method} ${path}: the controller answered ${response.status} with a body that is not JSON`);
    }
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
      // A code this CLI does not know (a newer controller) is kept in the message, under E_CONTROLLER_ANSWER.
      const code = error?.code !== undefined && isErrorCode(error.code) ? error.code : 'E_CONTROLLER_ANSWER';
      const unknown = code === error?.code || error?.code === undefined ? '' : ` [${error.code}]`;
      throw new DroverError(code, `${error?.message ?? `HTTP ${response.status}`}${unknown} (${method} ${path}, HTTP ${response.status})`);
    }
    return parsed as T;
  };
  const hostPath = (name: string): string => `/api/v1/hosts/${encodeURIComponent(name)}`;
  return {
    status: () => call('GET', '/api/v1/status'),
    hosts: async () => (await call<{ hosts: HostView[] }>('GET', '/api/v1/hosts')).hosts,
    host: (name) => call('GET', hostPath(name)),
    sync: (request) => call('POST', '/api/v1/sync', request),
    run: (id) => call('GET', `/api/v1/runs/${encodeURIComponent(id)}`),
    suspend: async (name) => (await call<{ host: HostView }>('POST', `${hostPath(name)}/suspend`)).host,
    resume: async (name) => (await call<{ host: HostView }>('POST', `${hostPath(name)}/resume`)).host,
    resumeRollout: async (request) => (await call<{ rollouts: RolloutView[] }>('POST', '/api/v1/rollout/resume', request)).rollouts,
    startPreview: (ref) => call('POST', '/api/v1/previews', { ref }),
    preview: (id) => call('GET', `/api/v1/previews/${encodeURIComponent(id)}`),
    events: (query) => {
      const params = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined).map(([k, v]): [string, string] => [k, String(v)]));
      return call('GET', `/api/v1/events?${params.toString()}`);
    },
  };
}
