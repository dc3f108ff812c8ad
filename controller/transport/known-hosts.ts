/**
 * OpenSSH known_hosts parsing and host key decisions (pure; the caller reads the file).
 *
 * Supported: plain entries with comma-separated host patterns, `[host]:port` entries (port 22 is
 * written without brackets, as OpenSSH does), hashed `|1|salt|hash` entries (HMAC-SHA1 of the
 * host name keyed by the salt), wildcards `*` and `?`, negated patterns `!pattern`, and the
 * `@revoked` marker. `@cert-authority` lines are parsed but ignored: drover does not accept host
 * certificates, so a host known only through a CA is `unknown` (and refused).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** How a presented host key compares with the known_hosts file. */
export type HostKeyVerdict = 'match' | 'mismatch' | 'unknown' | 'revoked';

/** One usable line of a known_hosts file. */
export interface KnownHostEntry {
  /** 1-based line number in the file. */
  line: number;
  marker: 'revoked' | 'cert-authority' | undefined;
  /** Plain host patterns (possibly negated with `!`), empty for a hashed entry. */
  patterns: string[];
  /** Salt and HMAC-SHA1 digest of a hashed entry. */
  hashed: { salt: Buffer; hash: Buffer } | undefined;
  keyType: string;
  /** The public key blob (SSH wire format), as base64-decoded from the line. */
  key: Buffer;
}

/** A parsed file: its entries plus the lines that could not be read (those are ignored). */
export interface KnownHosts {
  entries: KnownHostEntry[];
  problems: { line: number; message: string }[];
}

/** The result of checkHostKey: the verdict and the line that decided it, if any. */
export interface HostKeyCheck {
  verdict: HostKeyVerdict;
  line: number | undefined;
  /** Key types known for the host (unmarked entries), in file order, without duplicates. */
  knownTypes: string[];
}

/** Parses known_hosts text. Never throws: unreadable lines land in `problems`. */
export function parseKnownHosts(text: string): KnownHosts {
  const result: KnownHosts = { entries: [], problems: [] };
  text.split(/\r?\n/).forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const parsed = parseLine(trimmed, index + 1);
    if (typeof parsed === 'string') result.problems.push({ line: index + 1, message: parsed });
    else result.entries.push(parsed);
  });
  return result;
}

function parseLine(text: string, line: number): KnownHostEntry | string {
  const fields = text.split(/\s+/);
  let marker: KnownHostEntry['marker'];
  if (fields[0]?.startsWith('@')) {
    const name = fields.shift();
    if (name !== '@revoked' && name !== '@cert-authority') return `unknown marker ${name}`;
    marker = name === '@revoked' ? 'revoked' : 'cert-authority';
  }
  const [hostField, keyType, keyText] = fields;
  if (!hostField || !keyType || !keyText) return 'expected: [marker] hosts keytype base64-key [comment]';
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(keyText)) return 'key is not base64';
  const key = Buffer.from(keyText, 'base64');
  const blobType = keyTypeOfBlob(key);
  if (blobType !== keyType) return `key type ${keyType} does not match the key blob (${blobType ?? 'unreadable'})`;
  const hosts = parseHostField(hostField);
  if (typeof hosts === 'string') return hosts;
  return { line, marker, keyType, key, ...hosts };
}

function parseHostField(field: string): Pick<KnownHostEntry, 'patterns' | 'hashed'> | string {
  if (!field.startsWith('|')) return { patterns: field.split(',').filter((p) => p !== ''), hashed: undefined };
  const parts = field.split('|');
  if (parts.length !== 4 || parts[1] !== '1') return 'unsupported hashed host format (expected |1|salt|hash)';
  const salt = Buffer.from(parts[2] ?? '', 'base64');
  const hash = Buffer.from(parts[3] ?? '', 'base64');
  if (salt.length !== 20 || hash.length !== 20) return 'hashed host has a bad salt or hash length';
  return { patterns: [], hashed: { salt, hash } };
}

/**
 * The key type named inside an SSH public key blob (its first length-prefixed string),
 * e.g. `ssh-ed25519`; undefined when the blob is too short to hold one.
 */
export function keyTypeOfBlob(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const length = blob.readUInt32BE(0);
  if (length === 0 || length > 64 || blob.length < 4 + length) return undefined;
  return blob.subarray(4, 4 + length).toString('latin1');
}

/** The name OpenSSH looks up for a host and port: `host` for port 22, else `[host]:port`. */
export function hostLookupName(host: string, port: number): string {
  const lower = host.toLowerCase();
  return port === 22 ? lower : `[${lower}]:${port}`;
}

/** True when the entry's host field names `name` (a hostLookupName). */
export function entryMatchesHost(entry: KnownHostEntry, name: string): boolean {
  if (entry.hashed) {
    const digest = createHmac('sha1', entry.hashed.salt).update(name).digest();
    return timingSafeEqual(digest, entry.hashed.hash);
  }
  let matched = false;
  for (const pattern of entry.patterns) {
    const negated = pattern.startsWith('!');
    if (!globMatch(negated ? pattern.slice(1) : pattern, name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

function globMatch(pattern: string, name: string): boolean {
  // Most patterns are literal names: compare them without building a RegExp (a fleet's known_hosts
  // holds an entry per host, and every connect looks the host up in all of them).
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern.toLowerCase() === name;
  const source = pattern
    .toLowerCase()
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 's').test(name);
}

/**
 * Decides whether `key` (an SSH public key blob) may be accepted for `host`:`port`.
 * - `revoked`: the key appears on an `@revoked` line (for any host: a revoked key is never accepted);
 * - `match`: an unmarked entry for the host holds exactly this key;
 * - `mismatch`: the host is known, but with other keys only (of this type or any other);
 * - `unknown`: no unmarked entry names the host.
 */
export function checkHostKey(knownHosts: KnownHosts, query: { host: string; port: number; key: Buffer }): HostKeyCheck {
  const revoked = knownHosts.entries.find((e) => e.marker === 'revoked' && e.key.equals(query.key));
  const forHost = entriesForHost(knownHosts, query.host, query.port);
  const knownTypes = [...new Set(forHost.map((e) => e.keyType))];
  if (revoked) return { verdict: 'revoked', line: revoked.line, knownTypes };
  const same = forHost.find((e) => e.key.equals(query.key));
  if (same) return { verdict: 'match', line: same.line, knownTypes };
  const first = forHost[0];
  if (first) return { verdict: 'mismatch', line: first.line, knownTypes };
  return { verdict: 'unknown', line: undefined, knownTypes };
}

/** The unmarked entries that name `host`:`port`, in file order. */
export function entriesForHost(knownHosts: KnownHosts, host: string, port: number): KnownHostEntry[] {
  const name = hostLookupName(host, port);
  return knownHosts.entries.filter((e) => e.marker === undefined && entryMatchesHost(e, name));
}
