/**
 * Opens one authenticated ssh2 Client: strict host key checking against known_hosts during the
 * key exchange (before any authentication or command), public key and agent authentication,
 * one deadline over the whole TCP connect + handshake + auth (and the jump host, if any).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import ssh2, { type AnyAuthMethod, type Client, type ConnectConfig, type ServerHostKeyAlgorithm } from 'ssh2';
import { DroverError } from '../../manifests/errors.js';
import { lostError, mapConnectError, transportError, type LowLevelError } from './errors.js';
import { checkHostKey, entriesForHost, parseKnownHosts, type KnownHosts } from './known-hosts.js';
import { TransportErrorCodes as C } from './types.js';

// ssh2 is CommonJS: Node's ESM loader only sees its default export.
const { Client: SshClient, utils } = ssh2;

/** How to reach one host over SSH. */
export interface SshOptions {
  /** Inventory name, used in errors and logs. */
  host: string;
  /** IP or DNS name to connect to; also the name looked up in known_hosts. */
  address: string;
  port?: number;
  user: string;
  /** Private key files (unencrypted), tried in order before the agent. */
  privateKeyFiles?: string[];
  /** ssh-agent socket path (SSH_AUTH_SOCK). */
  agent?: string;
  /** known_hosts file; required: there is no "accept any key" mode. A missing file knows no host. */
  knownHostsFile: string;
  /** Deadline for connect + handshake + authentication; default 10 s. */
  connectTimeoutMs?: number;
  /** SSH keepalive interval; the connection is declared lost after 3 unanswered; default 15 s. */
  keepaliveIntervalMs?: number;
  /** Run every command through `sudo -n sh -c`. */
  sudo?: boolean;
  /** Parallel exec channels on the connection (stay under the server's MaxSessions); default 8. */
  maxSessions?: number;
  /** Reach the host through this jump host (ssh2 forwardOut), like OpenSSH's ProxyJump. */
  proxyJump?: SshOptions;
}

/** An open connection and everything to tear it down (the jump connection too). */
export interface SshConnection {
  client: Client;
  /** Ends the client and its jump chain. */
  end(): void;
}

/**
 * Connects and authenticates. Rejects with DroverError: E_HOST_KEY_UNKNOWN / E_HOST_KEY_MISMATCH
 * (stalled), E_AUTH (stalled), E_CONNECT_REFUSED / E_CONNECT_TIMEOUT / E_UNREACHABLE /
 * E_CONNECTION_LOST (transient), E_SSH_PROTOCOL (stalled). Never retries.
 */
export async function openSshConnection(options: SshOptions): Promise<SshConnection> {
  const timeoutMs = options.connectTimeoutMs ?? 10_000;
  const pending: SshConnection[] = [];
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      for (const c of pending) c.end();
      reject(transportError({ host: options.host, code: C.timeout, reason: `connect timed out after ${timeoutMs} ms (${target(options)})` }));
    }, timeoutMs);
  });
  try {
    return await Promise.race([openChain(options, pending), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function openChain(options: SshOptions, pending: SshConnection[]): Promise<SshConnection> {
  if (!options.proxyJump) return openDirect(options, undefined, pending);
  const jump = await openChain(options.proxyJump, pending);
  try {
    const sock = await forwardOut(jump.client, options);
    const conn = await openDirect(options, sock, pending);
    return { client: conn.client, end: () => { conn.end(); jump.end(); } };
  } catch (err) {
    jump.end();
    throw err;
  }
}

function forwardOut(jump: Client, options: SshOptions): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    jump.forwardOut('127.0.0.1', 0, options.address, options.port ?? 22, (err, stream) => {
      if (err) reject(transportError({ host: options.host, code: C.unreachable, reason: `jump host could not reach ${target(options)}: ${err.message}`, cause: err }));
      else resolve(stream);
    });
  });
}

async function openDirect(options: SshOptions, sock: Duplex | undefined, pending: SshConnection[]): Promise<SshConnection> {
  const [knownHosts, { methods: auth, tried }] = await Promise.all([readKnownHosts(options), authMethods(options)]);
  const client = new SshClient();
  const conn: SshConnection = { client, end: () => client.end() };
  pending.push(conn);
  let hostKeyFailure: DroverError | undefined;
  const config: ConnectConfig = {
    host: options.address,
    port: options.port ?? 22,
    username: options.user,
    sock,
    readyTimeout: 0,
    keepaliveInterval: options.keepaliveIntervalMs ?? 15_000,
    keepaliveCountMax: 3,
    algorithms: { serverHostKey: { prepend: preferredHostKeyAlgorithms(knownHosts, options) } } as ConnectConfig['algorithms'],
    hostVerifier: (key: Buffer) => {
      hostKeyFailure = verifyHostKey(knownHosts, options, key);
      return hostKeyFailure === undefined;
    },
    authHandler: (_left, _partial, next) => next(auth.shift() ?? (false as unknown as AnyAuthMethod)),
  };
  // ssh2 can emit 'error' twice on a failed handshake (the socket's error, then "Connection lost
  // before handshake" on its close); the once-listeners below see the first, this one the rest.
  client.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    const onError = (err: LowLevelError): void => {
      client.removeListener('close', onClose);
      reject(hostKeyFailure ?? mapConnectError(options.host, err, target(options), tried));
    };
    const onClose = (): void => {
      client.removeListener('error', onError);
      reject(hostKeyFailure ?? lostError(options.host, new Error(`closed during handshake (${target(options)})`)));
    };
    client.once('error', onError).once('close', onClose);
    client.once('ready', () => {
      // From here on the owner watches 'close'; the no-op listener above keeps an 'error' from throwing.
      client.removeListener('error', onError).removeListener('close', onClose);
      // Every command is a few small packets each way and waits for the answer: with Nagle's
      // algorithm on, the client's next packet waited for the server's delayed ACK (40 ms a command).
      client.setNoDelay(true);
      resolve();
    });
    client.connect(config);
  });
  return conn;
}

function verifyHostKey(knownHosts: KnownHosts, options: SshOptions, key: Buffer): DroverError | undefined {
  const check = checkHostKey(knownHosts, { host: options.address, port: options.port ?? 22, key });
  if (check.verdict === 'match') return undefined;
  const where = `${target(options)} in ${options.knownHostsFile}`;
  if (check.verdict === 'unknown') {
    return transportError({ host: options.host, code: C.hostKeyUnknown, reason: `host key is not known for ${where}; refusing to connect` });
  }
  const why = check.verdict === 'revoked' ? `presented a key marked @revoked (line ${check.line})` : `presented a different host key than line ${check.line}`;
  return transportError({ host: options.host, code: C.hostKeyMismatch, reason: `${why} for ${where}; refusing to connect (possible man-in-the-middle)` });
}

/** Host key algorithms of the types known for the host go first, so the server presents a key we can check. */
function preferredHostKeyAlgorithms(knownHosts: KnownHosts, options: SshOptions): ServerHostKeyAlgorithm[] {
  const types = new Set(entriesForHost(knownHosts, options.address, options.port ?? 22).map((e) => e.keyType));
  const out: string[] = [];
  for (const type of types) out.push(...(type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type]));
  const supported = new Set<string>(['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
  return out.filter((a) => supported.has(a)) as ServerHostKeyAlgorithm[];
}

/**
 * The last known_hosts text parsed and its result. Every connect of a run reads the same file, and
 * parsing it for each host made connecting N hosts O(N^2) (a fleet's file has an entry per host).
 * Keyed by the whole text, so an edited file is parsed again; the result is only ever read.
 */
let lastParsed: { text: string; knownHosts: KnownHosts } | undefined;

function parseKnownHostsOnce(text: string): KnownHosts {
  if (lastParsed?.text !== text) lastParsed = { text, knownHosts: parseKnownHosts(text) };
  return lastParsed.knownHosts;
}

async function readKnownHosts(options: SshOptions): Promise<KnownHosts> {
  try {
    return parseKnownHostsOnce(await readFile(options.knownHostsFile, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      const file = options.knownHostsFile;
      const reason = `known_hosts file ${file} does not exist, so no host key can be verified; refusing to connect. ` +
        `Add the host's key with \`ssh-keyscan -p ${options.port ?? 22} ${options.address} >> ${file}\` (and compare its fingerprint ` +
        'with the one the host shows), or point drover at another file (--known-hosts, DROVER_KNOWN_HOSTS)';
      throw transportError({ host: options.host, code: C.hostKeyUnknown, reason, cause: err });
    }
    const reason = `cannot read known_hosts file ${options.knownHostsFile}: ${(err as Error).message}`;
    throw transportError({ host: options.host, code: C.hostKeyUnknown, reason, cause: err });
  }
}

/**
 * The auth methods to offer, in order, and how to name them in an E_AUTH message (key file and its
 * fingerprint, the agent socket). Throws E_AUTH for an unreadable or unusable key, or no credential at all.
 */
async function authMethods(options: SshOptions): Promise<{ methods: AnyAuthMethod[]; tried: string[] }> {
  const methods: AnyAuthMethod[] = [];
  const tried: string[] = [];
  for (const file of options.privateKeyFiles ?? []) {
    const key = await readFile(file).catch((err: Error) => {
      throw transportError({ host: options.host, code: C.auth, reason: `cannot read private key ${file}: ${err.message}`, cause: err });
    });
    const parsed = utils.parseKey(key);
    if (parsed instanceof Error) {
      throw transportError({ host: options.host, code: C.auth, reason: `cannot use private key ${file}: ${parsed.message}` });
    }
    methods.push({ type: 'publickey', username: options.user, key });
    tried.push(`public key ${file} (${parsed.type} ${fingerprint(parsed.getPublicSSH())})`);
  }
  if (options.agent) {
    methods.push({ type: 'agent', username: options.user, agent: options.agent });
    tried.push(`the keys of ssh-agent ${options.agent}`);
  }
  if (methods.length === 0) {
    throw transportError({ host: options.host, code: C.auth, reason: 'no private key file or agent configured' });
  }
  return { methods, tried };
}

/** OpenSSH's fingerprint of a public key blob: `SHA256:<base64 without padding>`. */
function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

function target(options: SshOptions): string {
  return `${options.user}@${options.address}:${options.port ?? 22}`;
}
