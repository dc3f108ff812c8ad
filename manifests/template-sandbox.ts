/**
 * Keeps templates to reading data. Nunjucks compiles `a.b` to a plain property read, so without a
 * guard `{{ range.constructor("return process")() }}` reaches the Function constructor and runs
 * code with the power of the controller (its SSH keys, CI's tokens). Templates come from whoever can
 * open a pull request, so a template may read only own properties of data (objects, arrays,
 * strings), a short list of side-effect-free string and array methods, the context's own names and
 * the environment's own globals, filters and tests; nothing through a prototype.
 */
import nunjucks from 'nunjucks';
import { checkSecretMember } from './template-secrets.js';

/** Side-effect-free methods of strings a template may call (`name.split('.')`). */
const STRING_METHODS = new Set([
  'split', 'startsWith', 'endsWith', 'includes', 'indexOf', 'lastIndexOf', 'replace', 'replaceAll',
  'toUpperCase', 'toLowerCase', 'trim', 'trimStart', 'trimEnd', 'slice', 'substring', 'padStart', 'padEnd',
  'charAt', 'concat', 'at',
]);
/** Methods of arrays that read (no push/sort/splice: the data is shared by every resource of the host). */
const ARRAY_METHODS = new Set(['join', 'slice', 'includes', 'indexOf', 'lastIndexOf', 'concat', 'at']);
const NUMBER_METHODS = new Set(['toFixed', 'toString']);

/** Thrown when a template reaches for something outside its data; reported at the template's file:line. */
export class TemplateAccessError extends Error {
  constructor(name: string, on: string) {
    super(`templates may not read "${name}" of ${on}: they see only data, params, host, resolve() and secret(), their own keys, and a few string and list methods (split, join, replace, ...)`);
    this.name = 'TemplateAccessError';
  }
}

interface Runtime {
  memberLookup: (obj: unknown, val: unknown) => unknown;
  contextOrFrameLookup: (context: { ctx: Record<string, unknown>; env: { globals: Record<string, unknown> } }, frame: { lookup(name: string): unknown }, name: string) => unknown;
  __droverGuarded?: boolean;
}

/**
 * Replaces nunjucks' member and name lookups by guarded ones. Process-wide on purpose: compiled
 * templates (includes, imports and macros too) receive nunjucks' one runtime object, and no code in
 * drover needs unguarded templates. Idempotent.
 */
export function guardTemplateRuntime(): void {
  const runtime = (nunjucks as unknown as { runtime: Runtime }).runtime;
  if (runtime.__droverGuarded) return;
  runtime.memberLookup = guardedMemberLookup;
  runtime.contextOrFrameLookup = (context, frame, name) => {
    const own = frame.lookup(name);
    if (own !== undefined) return own;
    if (Object.hasOwn(context.ctx, name)) return context.ctx[name];
    return Object.hasOwn(context.env.globals, name) ? context.env.globals[name] : undefined;
  };
  runtime.__droverGuarded = true;
}

function guardedMemberLookup(obj: unknown, val: unknown): unknown {
  if (obj === undefined || obj === null) return undefined;
  const key = String(val);
  checkSecretMember(obj, key);
  if (typeof obj === 'function') throw new TemplateAccessError(key, 'a function');
  if (typeof obj === 'string' || obj instanceof String) return stringMember(String(obj), obj, key);
  if (typeof obj === 'number') return method(obj, key, NUMBER_METHODS, 'a number');
  if (typeof obj !== 'object') throw new TemplateAccessError(key, `a ${typeof obj}`);
  if (Array.isArray(obj) && !Object.hasOwn(obj, key)) return method(obj, key, ARRAY_METHODS, 'a list');
  if (!Object.hasOwn(obj, key)) {
    if (isForbidden(key)) throw new TemplateAccessError(key, 'an object');
    return undefined;
  }
  const value = (obj as Record<string, unknown>)[key];
  if (typeof value === 'function' && !isPlainData(obj)) throw new TemplateAccessError(key, 'an object');
  return typeof value === 'function' ? (...args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(obj, args) : value;
}

function stringMember(text: string, obj: object | string, key: string): unknown {
  if (key === 'length') return text.length;
  if (/^\d+$/.test(key)) return text[Number(key)];
  if (typeof obj === 'object' && Object.hasOwn(obj, key) && !isForbidden(key)) return (obj as unknown as Record<string, unknown>)[key];
  return method(text, key, STRING_METHODS, 'a string');
}

function method(target: unknown, key: string, allowed: ReadonlySet<string>, what: string): unknown {
  if (!allowed.has(key)) throw new TemplateAccessError(key, what);
  const fn = (target as Record<string, (...a: unknown[]) => unknown>)[key]!;
  return (...args: unknown[]) => fn.apply(target, args);
}

/** Names that lead to prototypes or constructors on any object. */
function isForbidden(key: string): boolean {
  return key === 'constructor' || key === 'prototype' || key.startsWith('__');
}

/** Objects built from YAML or by templates (`{}`), or nunjucks' cycler: their functions are data. */
function isPlainData(obj: object): boolean {
  const proto = Object.getPrototypeOf(obj) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Makes an environment's filters and tests own-name lookups (`{{ x | constructor }}` would
 * otherwise find Object through the prototype of the filters table), and lets `check` see every
 * filter's arguments first.
 */
export function guardEnvironment(env: nunjucks.Environment, check: (filter: string, args: unknown[]) => void): void {
  const table = env as unknown as { filters: Record<string, (...a: unknown[]) => unknown>; tests: Record<string, (...a: unknown[]) => unknown> };
  env.getFilter = (name: string) => {
    const filter = Object.hasOwn(table.filters, name) ? table.filters[name] : undefined;
    if (!filter) throw new Error(`filter not found: ${name}`);
    return function (this: unknown, ...args: unknown[]) {
      check(name, args);
      return filter.apply(this, args);
    };
  };
  (env as unknown as { getTest: (name: string) => unknown }).getTest = (name: string) => {
    const test = Object.hasOwn(table.tests, name) ? table.tests[name] : undefined;
    if (!test) throw new Error(`test not found: ${name}`);
    return test;
  };
}
