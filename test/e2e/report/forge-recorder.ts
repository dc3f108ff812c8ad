/**
 * A local HTTP server answering as a Git forge's commit status API does (GitHub, GitLab, Gitea), and as
 * a notification webhook does, and as its pull-request comment API does (forge-comments.ts), checking every request as the real service would: method, exact path,
 * the auth header, content type, and the body's fields and states. A request that fails a check gets the
 * forge's 4xx and is kept in `problems` (a test expects none). `down` makes it answer 503 (an outage).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { commentRoute, type StoredComment } from './forge-comments.js';

/** One request as received. */
export interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** The status answered. */
  answered: number;
}

/** A commit status as the forge accepted it. */
export interface AcceptedStatus {
  sha: string;
  state: string;
  description: string;
  context: string;
  targetUrl?: string;
}

/** What the recorder checks statuses against. */
export interface ForgeSpec {
  provider: 'github' | 'gitlab' | 'gitea';
  token: string;
  /** GitHub/Gitea `owner/name`; GitLab the project path or id. */
  repository: string;
  context: string;
}

const STATES: Record<ForgeSpec['provider'], string[]> = {
  github: ['pending', 'success', 'failure', 'error'],
  gitea: ['pending', 'success', 'failure', 'error', 'warning'],
  gitlab: ['pending', 'running', 'success', 'failed', 'canceled'],
};

/** The running recorder. */
export interface ForgeRecorder {
  /** Root URL (http://127.0.0.1:PORT). */
  url: string;
  /** apiUrl to configure for the provider (GitHub: root; GitLab: root/api/v4; Gitea: root). */
  apiUrl: string;
  received: Received[];
  statuses: AcceptedStatus[];
  /** Pull-request comments as the forge keeps them (forge-comments.ts); a test may add some first. */
  comments: StoredComment[];
  /** Notification bodies accepted, per path (`/notify/<name>`). */
  notifications: { path: string; body: string; headers: IncomingMessage['headers'] }[];
  problems: string[];
  /** When true every request is answered 503. */
  down: boolean;
  close(): Promise<void>;
}

/** Starts a recorder for `spec`; `notifySecret` checks X-Drover-Signature on /notify/signed. */
export async function startForgeRecorder(spec: ForgeSpec, options: { notifySecret?: string } = {}): Promise<ForgeRecorder> {
  const recorder: ForgeRecorder = {
    url: '', apiUrl: '', received: [], statuses: [], comments: [], notifications: [], problems: [], down: false,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '';
      const answer = (status: number, json: unknown): void => {
        recorder.received.push({ method: req.method ?? '', path, headers: req.headers, body, answered: status });
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
      };
      if (recorder.down) return answer(503, { message: 'Service Unavailable' });
      if (path.startsWith('/notify/')) return answer(...notification(recorder, path, req, body, options.notifySecret));
      const comment = commentRoute(spec, recorder.comments, req, path, body);
      if (typeof comment === 'string') {
        recorder.problems.push(`${req.method} ${path}: ${comment}`);
        return answer(comment.startsWith('auth') ? 401 : 422, { message: comment });
      }
      if (comment) return answer(...comment);
      const result = status(spec, req, path, body);
      if (typeof result === 'string') {
        recorder.problems.push(`${req.method} ${path}: ${result}`);
        return answer(result.startsWith('auth') ? 401 : 422, { message: result });
      }
      recorder.statuses.push(result);
      return answer(201, { id: recorder.statuses.length, state: result.state, description: result.description, context: result.context });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  recorder.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  recorder.apiUrl = spec.provider === 'gitlab' ? `${recorder.url}/api/v4` : recorder.url;
  return recorder;
}

/** The accepted status, or what is wrong with the request. */
function status(spec: ForgeSpec, req: IncomingMessage, path: string, body: string): AcceptedStatus | string {
  if (req.method !== 'POST') return `method ${req.method}, expected POST`;
  const prefix = {
    github: `/repos/${spec.repository}/statuses/`,
    gitea: `/api/v1/repos/${spec.repository}/statuses/`,
    gitlab: `/api/v4/projects/${/^\d+$/.test(spec.repository) ? spec.repository : encodeURIComponent(spec.repository)}/statuses/`,
  }[spec.provider];
  if (!path.startsWith(prefix)) return `path ${path}, expected ${prefix}<sha>`;
  const sha = path.slice(prefix.length);
  if (!/^[0-9a-f]{40}$/.test(sha)) return `path ${path}: not a 40-hex commit`;
  const auth = spec.provider === 'gitlab' ? req.headers['private-token'] : req.headers.authorization;
  const expected = { github: `Bearer ${spec.token}`, gitea: `token ${spec.token}`, gitlab: spec.token }[spec.provider];
  if (auth !== expected) return `auth: ${spec.provider === 'gitlab' ? 'PRIVATE-TOKEN' : 'Authorization'} is not the token`;
  if (!String(req.headers['content-type']).startsWith('application/json')) return `content-type ${req.headers['content-type']}`;
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return 'body is not JSON';
  }
  const contextKey = spec.provider === 'gitlab' ? 'name' : 'context';
  const allowed = new Set(['state', 'description', 'target_url', contextKey]);
  const extra = Object.keys(json).filter((k) => !allowed.has(k));
  if (extra.length) return `unexpected fields ${extra.join(', ')}`;
  if (typeof json.state !== 'string' || !STATES[spec.provider].includes(json.state)) return `state ${String(json.state)} is not one of ${STATES[spec.provider].join(', ')}`;
  const context = json[contextKey];
  if (context !== spec.context && context !== `${spec.context}/preview`) return `${contextKey} ${String(context)}, expected ${spec.context} (or ${spec.context}/preview)`;
  if (typeof json.description !== 'string' || json.description.length > 140) return 'description missing or longer than 140 characters';
  if (json.target_url !== undefined && (typeof json.target_url !== 'string' || !/^https?:\/\//.test(json.target_url))) return 'target_url is not a URL';
  return { sha, state: json.state, description: json.description, context, ...(typeof json.target_url === 'string' ? { targetUrl: json.target_url } : {}) };
}

function notification(recorder: ForgeRecorder, path: string, req: IncomingMessage, body: string, secret: string | undefined): [number, unknown] {
  if (req.method !== 'POST' || !String(req.headers['content-type']).startsWith('application/json')) {
    recorder.problems.push(`${req.method} ${path}: not a JSON POST`);
    return [400, { message: 'bad request' }];
  }
  if (path === '/notify/signed') {
    const want = `sha256=${createHmac('sha256', secret ?? '').update(body).digest('hex')}`;
    if (req.headers['x-drover-signature'] !== want) {
      recorder.problems.push(`${path}: X-Drover-Signature does not match the body`);
      return [401, { message: 'bad signature' }];
    }
  }
  try {
    JSON.parse(body);
  } catch {
    recorder.problems.push(`${path}: body is not JSON`);
    return [400, { message: 'bad json' }];
  }
  recorder.notifications.push({ path, body, headers: req.headers });
  return [200, { ok: true }];
}
