/**
 * Masks the values of the repository's secrets (secrets/*.age, decrypted in memory) wherever they
 * could show: a file's old text fetched for a diff, a failed command's output, an error message.
 * Generated secrets never leave the host, so only these values are known here.
 */
import type { DesiredState, SecretValue } from '../../manifests/types.js';

/** The placeholder a masked value becomes (render-plan shows it as "(secret)"). */
function placeholder(name: string): string {
  return `{{drover-secret:${name}}}`;
}

/** `text` with every repository secret value replaced by its placeholder (longest values first). */
export function maskRepositorySecrets(text: string, secrets: ReadonlyMap<string, SecretValue> | undefined): string {
  if (!secrets || secrets.size === 0) return text;
  const byLength = [...secrets].map(([name, v]) => [name, v.reveal()] as const).sort((a, b) => b[1].length - a[1].length);
  let out = text;
  for (const [name, value] of byLength) if (value !== '') out = out.split(value).join(placeholder(name));
  return out;
}

/** A copy of `value` (JSON-like data) with every string masked as by maskRepositorySecrets(). */
export function maskDeep<T>(value: T, secrets: ReadonlyMap<string, SecretValue> | undefined): T {
  if (!secrets || secrets.size === 0) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return maskRepositorySecrets(v, secrets);
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object' || Buffer.isBuffer(v)) return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
  };
  return walk(value) as T;
}

/** The repository secrets a host's results are masked with. */
export function secretsOf(desired: DesiredState | undefined): ReadonlyMap<string, SecretValue> | undefined {
  return desired?.repositorySecrets;
}
