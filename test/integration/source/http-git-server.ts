/**
 * A tiny HTTP git server for the tests: Node's http server in front of git's own CGI program,
 * `git http-backend`, on 127.0.0.1. It demands `Authorization: <expected>`: a request without
 * credentials gets 401 with a Basic challenge, as real forges answer; one with wrong credentials
 * gets a git protocol error that quotes them back (a careless server does), so a test can prove
 * that the client scrubs what the server echoes.
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

const BACKEND = '/usr/lib/git-core/git-http-backend';

/** A running server; `close()` stops it. */
export interface GitHttpServer {
  /** `http://127.0.0.1:PORT/<repo>`. */
  url(repo: string): string;
  /** Authorization headers received, in order (undefined when a request had none). */
  authorizations: (string | undefined)[];
  close(): Promise<void>;
}

/** One git pkt-line: 4 hex digits of length (including themselves), then the payload. */
function pktLine(payload: string): string {
  return `${(Buffer.byteLength(payload) + 4).toString(16).padStart(4, '0')}${payload}`;
}

/** Splits a CGI response head (`Status:` and other headers) from its body start. */
function parseCgiHead(head: string): { status: number; headers: [string, string][] } {
  let status = 200;
  const headers: [string, string][] = [];
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
    else headers.push([name, value]);
  }
  return { status, headers };
}

/** Runs git http-backend for one request and streams its answer back. */
function serveCgi(options: { projectRoot: string; protocolV0?: boolean }, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const child = spawn(BACKEND, [], {
    env: {
      PATH: process.env.PATH, GIT_PROJECT_ROOT: options.projectRoot, GIT_HTTP_EXPORT_ALL: '1',
      GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null',
      REQUEST_METHOD: req.method, PATH_INFO: decodeURIComponent(url.pathname), QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: req.headers['content-type'] ?? '', REMOTE_USER: 'token', REMOTE_ADDR: '127.0.0.1',
      GIT_PROTOCOL: options.protocolV0 ? '' : String(req.headers['git-protocol'] ?? ''), HTTP_CONTENT_ENCODING: String(req.headers['content-encoding'] ?? ''),
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  req.pipe(child.stdin);
  let buffer = Buffer.alloc(0);
  let headDone = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (headDone) return void res.write(chunk);
    buffer = Buffer.concat([buffer, chunk]);
    const end = buffer.indexOf('\r\n\r\n');
    if (end < 0) return;
    const { status, headers } = parseCgiHead(buffer.subarray(0, end).toString('latin1'));
    res.writeHead(status, headers);
    res.write(buffer.subarray(end + 4));
    headDone = true;
  });
  child.on('close', () => res.end());
}

/** Starts the server for the bare repositories below `projectRoot`, demanding `Authorization: expectedAuthorization`. */
export async function startGitHttpServer(options: {
  projectRoot: string;
  expectedAuthorization: string;
  /** Speak only protocol v0 (ignore the client's Git-Protocol header), like older servers: no fetching of unadvertised commits. */
  protocolV0?: boolean;
  /** Awaited before each authorised request is served: the client's git processes are alive and waiting meanwhile. */
  beforeServe?: () => Promise<void>;
}): Promise<GitHttpServer> {
  const authorizations: (string | undefined)[] = [];
  const server = createServer((req, res) => {
    authorizations.push(req.headers.authorization);
    const given = req.headers.authorization;
    if (given !== options.expectedAuthorization) {
      req.resume();
      if (given === undefined) res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' }).end('unauthorized\n');
      else res.writeHead(200, { 'Content-Type': 'application/x-git-upload-pack-advertisement' }).end(pktLine(`ERR access denied for ${given}\n`));
      return;
    }
    void (options.beforeServe ?? (async () => undefined))().then(() => serveCgi(options, req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: (repo) => `http://127.0.0.1:${port}/${repo}`,
    authorizations,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
