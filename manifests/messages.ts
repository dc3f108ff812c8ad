/**
 * Wording shared by every check: values and types in user terms, and "did you mean".
 */
import { distance } from 'fastest-levenshtein';

/** The closest candidate to `word` when it is a plausible typo of it, else undefined. */
export function closestMatch(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(1, Math.floor(word.length * 0.4));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = candidate.toLowerCase() === word.toLowerCase() ? 0.5 : distance(word, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= limit ? best : undefined;
}

/** `; did you mean "x"?` when there is a plausible match, else ``. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const match = closestMatch(word, candidates);
  return match === undefined ? '' : `; did you mean "${match}"?`;
}

/** `a string ("abc")`, `a number (8080)`, `a list`, `a mapping`, `null`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string': return `a string (${JSON.stringify(shorten(value))})`;
    case 'number': return `a number (${value})`;
    case 'boolean': return `a boolean (${value})`;
    case 'object': return 'a mapping';
    default: return typeof value;
  }
}

/** A JSON Schema type name in user terms: `integer` -> `an integer`, `object` -> `a mapping`. */
export function describeType(type: string): string {
  const names: Record<string, string> = {
    string: 'a string', integer: 'an integer', number: 'a number', boolean: 'a boolean (true or false)',
    object: 'a mapping', array: 'a list', null: 'nothing (null)',
  };
  return names[type] ?? type;
}

/** Joins alternatives as `a, b or c`. */
export function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
