/**
 * Secret and ssh_key facts: whether the file exists, its mode and owner (one batched lstat), and
 * for ssh keys the public half (`<path>.pub`, public by nature). A secret's content never leaves
 * the host: for a secret the repository keeps (secrets/<name>.age), the host hashes its value with
 * a fresh random salt, and only whether that matches the repository's value is kept.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { DesiredResource } from '../../manifests/types.js';
import {
  decodeHexField, pathFactOf, recordsByIndex, single, specString, statLines, q,
  type FactDomain, type ProbeSection,
} from './common.js';
import { secretPath } from './files.js';
import type { Fact, SecretFact, SshKeyFact } from './types.js';

/** Largest `.pub` file read, in bytes (an RSA-16384 public key is about 2.8 kB). */
const MAX_PUBLIC_KEY = 16384;

function pathOf(r: DesiredResource, all: readonly DesiredResource[]): string {
  return r.kind === 'secret' ? secretPath(specString(r, 'name') ?? r.key, all) : specString(r, 'path') ?? r.key;
}

/** The secrets fragment: `a I` / `s I <lstat>` per path, and `k I x<public key>` for ssh keys with a `.pub`. */
export function secretsFragment(resources: readonly DesiredResource[]): string {
  const lines = statLines(resources.map((r) => pathOf(r, resources)));
  resources.forEach((r, i) => {
    if (r.kind !== 'ssh_key') return;
    const pub = q(`${pathOf(r, resources)}.pub`);
    lines.push(`if [ -f ${pub} ]; then echo "$_T k ${i} x$(head -c ${MAX_PUBLIC_KEY} < ${pub} | _hx)"; fi`);
  });
  resources.forEach((r, i) => {
    if (r.kind !== 'secret' || !r.value) return;
    const path = q(pathOf(r, resources));
    const salt = randomBytes(16).toString('hex');
    lines.push(`if [ -f ${path} ]; then _o=$({ printf %s ${salt}; head -n 1 < ${path} | tr -d '\\n'; } | sha256sum); echo "$_T v ${i} ${salt} \${_o%% *}"; fi`);
  });
  return lines.join('\n');
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** `ssh-ed25519` -> `ed25519`, `ssh-rsa` -> `rsa`, others as written (`ecdsa-sha2-nistp256`). */
function keyType(algorithm: string): string {
  return algorithm.startsWith('ssh-') ? algorithm.slice(4) : algorithm;
}

/** Parses the secrets section into a SecretFact / SshKeyFact per resource. */
export function parseSecrets(section: ProbeSection, resources: readonly DesiredResource[]): Record<string, Fact> {
  const byIndex = recordsByIndex(section, resources.length);
  const out: Record<string, Fact> = {};
  resources.forEach((r, i) => {
    const stat = pathFactOf(section.name, byIndex[i]!, r.id);
    const attrs = stat.exists ? { mode: stat.mode!, owner: stat.owner! } : {};
    if (r.kind === 'secret') {
      const fact: SecretFact = { kind: 'secret', exists: stat.exists, path: pathOf(r, resources), ...attrs };
      if (stat.exists) fact.group = stat.group!;
      const salted = single(section.name, byIndex[i]!, 'v');
      if (salted && r.value) fact.matchesRepository = sha256(`${salted.fields[0] ?? ''}${r.value.reveal()}`) === salted.fields[1];
      else if (r.value && stat.exists) fact.matchesRepository = false;
      out[r.id] = fact;
      return;
    }
    const fact: SshKeyFact = { kind: 'ssh_key', exists: stat.exists, ...attrs };
    const pub = single(section.name, byIndex[i]!, 'k');
    if (pub) {
      const text = decodeHexField(section.name, pub.fields[0]).trim();
      fact.publicKey = text;
      const algorithm = text.split(/\s+/)[0];
      if (algorithm) fact.type = keyType(algorithm);
    }
    out[r.id] = fact;
  });
  return out;
}

/** The secrets domain (secret, ssh_key). */
export const secretsDomain: FactDomain = {
  section: 'secrets',
  kinds: ['secret', 'ssh_key'],
  fragment: (resources) => secretsFragment(resources),
  parse: parseSecrets,
};
