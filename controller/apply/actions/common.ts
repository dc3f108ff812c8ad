/**
 * What action builders share: their context (pure inputs plus a staging callback) and small sh helpers.
 * An action builder is a pure function (resource, step, context) -> ActionScript.
 */
import { DroverError } from '../../../manifests/errors.js';
import { specFields, type DesiredResource, type DesiredState } from '../../../manifests/types.js';
import type { Fact, ObservedState } from '../../facts/types.js';
import { shellQuote } from '../../transport/shell.js';
import { isMode, normaliseMode } from '../../../manifests/modes.js';

/** Inputs an action builder may use beyond its resource and step. */
export interface ActionContext {
  desired: DesiredState;
  observed: ObservedState;
  /**
   * Ships `content` with the run and returns the sh word naming it on the host (`"$W/f3"`).
   * Content never goes through the script text or a command line.
   */
  stage(content: Buffer): string;
  /** The step's resource was notified in this run (or is pending from an earlier one): run it without guards. */
  notified: boolean;
  /**
   * Not notified for sure, but by steps that decide on the host: it runs when one of them recorded the
   * notification in the run's pending file (`$_PF`), or when its own guards say so.
   */
  maybeNotified?: boolean;
}


/** Quotes one sh word. */
export const q = shellQuote;

/** A string field of the resource's spec (numbers as text), or undefined. */
export function field(resource: DesiredResource, name: string): string | undefined {
  const value = specFields(resource)[name];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

/** The resource's target path: spec.path, else its key. */
export function pathOf(resource: DesiredResource): string {
  return field(resource, 'path') ?? resource.key;
}

/** The observed fact of a resource, when it has the resource's kind. */
export function factOf<K extends Fact['kind']>(context: ActionContext, resource: DesiredResource, kind: K): Extract<Fact, { kind: K }> | undefined {
  const fact = context.observed.resources[resource.id];
  return fact?.kind === kind ? (fact as Extract<Fact, { kind: K }>) : undefined;
}

/** An error for a resource the engine cannot act on (bad value that validation let through). */
export function invalid(resource: DesiredResource, message: string): DroverError {
  return new DroverError('E_APPLY_INVALID', `${resource.id}: ${message}`);
}

/** A checked octal mode word (`0644`), or `''` when not declared. Throws E_APPLY_INVALID for anything else. */
export function modeWord(resource: DesiredResource, name = 'mode'): string {
  const mode = field(resource, name);
  if (mode === undefined) return "''";
  if (!isMode(mode)) throw invalid(resource, `${name} ${JSON.stringify(mode)} is not an octal mode of 3 or 4 digits`);
  return normaliseMode(mode);
}

/** A quoted owner/group word, or `''` when not declared. */
export function nameWord(resource: DesiredResource, name: string): string {
  const value = field(resource, name);
  return value === undefined ? "''" : q(value);
}

/** `echo "drover: <message>" >&2; exit 1` with the message quoted as one literal word. */
export function fail(message: string): string {
  return `{ printf '%s\\n' ${q(`drover: ${message}`)} >&2; exit 1; }`;
}

/** Joins script lines. */
export function lines(...parts: (string | false | undefined)[]): string {
  return parts.filter((p): p is string => typeof p === 'string' && p !== '').join('\n');
}

/**
 * sh test: `id` was notified in this run (or is still pending from an earlier one), i.e. a step that
 * changed something recorded it in the run's pending file `$_PF` before its change.
 */
export function notifiedOnHost(id: string): string {
  return `grep -qxF -- ${q(id)} "$_PF"`;
}
