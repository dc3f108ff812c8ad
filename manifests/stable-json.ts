/**
 * One text per value, whatever the key order and wherever it was declared: the basis of "did this
 * host's (or this resource's) desired state change" (the controller's fingerprint, previews).
 */
import { SecretValue } from './secret-value.js';

/**
 * JSON of `value` with object keys sorted, `origin` fields and undefined values left out, and a
 * repository secret counted by its keyed digest (a new value in secrets/*.age changes the text; the
 * value itself never appears). Pure.
 */
export function stableJson(value: unknown): string {
  if (value instanceof SecretValue) return JSON.stringify(`secret:${value.digest()}`);
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([k, v]) => k !== 'origin' && v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
