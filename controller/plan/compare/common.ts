import type { PathFact } from '../../facts/types.js';
import type { Verdict } from '../types.js';
import { normaliseMode } from '../../../manifests/modes.js';

/** Shortens a sha256 for reasons: the first 8 hex digits. */
export function short(sha: string | undefined): string {
  return sha === undefined ? 'none' : sha.slice(0, 8);
}

export { normaliseMode } from '../../../manifests/modes.js';

/** Reasons for mode/owner/group differences between declared attributes and a path fact. */
export function attributeReasons(spec: { mode?: string; owner?: string; group?: string }, fact: PathFact): string[] {
  const reasons: string[] = [];
  if (spec.mode !== undefined && fact.mode !== normaliseMode(spec.mode)) {
    reasons.push(`mode ${fact.mode ?? 'none'} -> ${normaliseMode(spec.mode)}`);
  }
  if (spec.owner !== undefined && fact.owner !== spec.owner) reasons.push(`owner ${fact.owner ?? 'none'} -> ${spec.owner}`);
  if (spec.group !== undefined && fact.group !== spec.group) reasons.push(`group ${fact.group ?? 'none'} -> ${spec.group}`);
  return reasons;
}

/** A verdict from a list of reasons: update when there is any. */
export function updateIf(reasons: string[]): Verdict {
  return reasons.length > 0 ? { action: 'update', reasons } : { action: 'none', reasons: [] };
}

/** Describes what is at a path that should be something else. */
export function wrongType(fact: PathFact, want: string): string {
  return `${fact.type} at the path -> ${want}`;
}
