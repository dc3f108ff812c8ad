/**
 * Nunjucks rendering for one repository: template files under templates/ (found by component
 * and state, falling back to default/), inline `{{ }}` strings, and `when` expressions.
 * Compiled templates are cached per engine; an engine lives for one load.
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import nunjucks from 'nunjucks';
import { didYouMean } from './messages.js';
import { guardEnvironment, guardTemplateRuntime } from './template-sandbox.js';
import { boundedRange, budgetTemplateRuntime, checkFilterArguments, RENDER_LIMITS, repositoryBudget, withinBudget, type RenderLimits } from './template-budget.js';
import { createSecretTokens, type SecretAwareText } from './template-secrets.js';

export type { SecretAwareText } from './template-secrets.js';

/** A template failure with its position: in a template file (`file` set) or in an inline string. */
export class TemplateFailure extends Error {
  constructor(message: string, readonly file: string | undefined, readonly line: number, readonly col: number) {
    super(message);
    this.name = 'TemplateFailure';
  }
}

/** Values a template sees (see docs/design.md "Templates"). */
export type TemplateContext = Record<string, unknown>;

/**
 * Renders templates of one repository. Every method throws TemplateFailure for template errors,
 * including a template reaching outside its data (see template-sandbox.ts) and a misused secret().
 */
export interface TemplateEngine {
  /**
   * Renders an inline string; a string that is one `{{ expr }}` yields the expression's value
   * (number, boolean, ...). secret() is refused: nothing substitutes it outside file contents.
   */
  renderValue(text: string, context: TemplateContext): unknown;
  /** Evaluates a `when` expression to a boolean (secret() refused). */
  evaluate(expression: string, context: TemplateContext): boolean;
  /** Renders a file's inline `content`: secret() allowed, returned as placeholders. */
  renderText(text: string, context: TemplateContext): SecretAwareText;
  /** Renders a template file, given as a path relative to the repository (`templates/...`); secret() allowed. */
  renderFile(file: string, context: TemplateContext): SecretAwareText;
  /**
   * Finds `templates/<component>/<state>/<path>`, else `.../default/<path>`; `found` is
   * repository-relative. `outside` is set (and `found` not) when the file is a symbolic link, or
   * lies under one, that resolves outside the repository.
   */
  find(options: { component: string; state: string; path: string }): { found?: string; tried: string[]; outside?: string };
  /** Bytes of a repository file (cached); throws when it resolves outside the repository. */
  read(file: string): Buffer;
  /** The `secret` function of template contexts. */
  secret(name: unknown): string;
}

/** True when a string holds nunjucks syntax and must be rendered. */
export function isTemplated(text: string): boolean {
  return text.includes('{{') || text.includes('{%');
}

const WHOLE_EXPRESSION = /^\{\{((?:(?!\}\}|\{\{).)*)\}\}$/s;

/**
 * An engine for the repository at `root`; includes are restricted to its templates/ directory, and its
 * renders keep to `limits` (template-budget.ts; RENDER_LIMITS unless a test gives smaller ones).
 */
export function createTemplateEngine(root: string, limits: RenderLimits = RENDER_LIMITS): TemplateEngine {
  guardTemplateRuntime();
  budgetTemplateRuntime();
  const budget = repositoryBudget(limits);
  const files = new Map<string, Buffer>();
  const exists = new Map<string, 'file' | 'missing' | string>();
  const realRoot = realOrSelf(root);
  /** 'file', 'missing', or the outside path a symbolic link leads to. */
  const lookup = (file: string): string => {
    let found = exists.get(file);
    if (found === undefined) exists.set(file, (found = isSafeRelative(file) ? locateInside(realRoot, join(root, file)) : 'missing'));
    return found;
  };
  const read = (file: string): Buffer => {
    let data = files.get(file);
    if (data) return data;
    const where = lookup(file);
    if (where !== 'file' && where !== 'missing') throw new Error(outsideMessage(file, where));
    files.set(file, (data = readFileSync(join(root, file))));
    return data;
  };
  const readText = (file: string): string | undefined => {
    try {
      return read(file).toString('utf8');
    } catch {
      return undefined;
    }
  };
  const loader = {
    getSource(name: string) {
      const file = name.startsWith('templates/') ? name : `templates/${name}`;
      const where = lookup(file);
      if (where === 'missing') throw new Error(`template not found: ${name}; includes name a file under templates/, without ".." segments`);
      if (where !== 'file') throw new Error(outsideMessage(file, where));
      return { src: read(file).toString('utf8'), path: file, noCache: false };
    },
  };
  const env = new nunjucks.Environment([loader as unknown as nunjucks.ILoader], { throwOnUndefined: true, autoescape: false });
  const tokens = createSecretTokens();
  guardEnvironment(env, (name, args) => {
    checkFilterArguments(args);
    tokens.checkFilter(name, args);
  });
  env.addGlobal('range', boundedRange(env.getGlobal('range') as Parameters<typeof boundedRange>[0]));
  const inline = new Map<string, nunjucks.Template>();
  const compile = (source: string): nunjucks.Template => {
    let template = inline.get(source);
    if (!template) inline.set(source, (template = new nunjucks.Template(source, env, '<inline>', true)));
    return template;
  };
  /** Runs a compile (`runtime` false) or a render: nunjucks counts lines from 1 in the first and from 0 in the second. */
  const run = <T>(where: { source?: string; file?: string }, context: TemplateContext, fn: () => T, runtime: boolean): T => {
    try {
      return runtime ? withinBudget(budget, fn) : fn();
    } catch (error) {
      throw toFailure(error, { inlineSource: where.source, readText, context, file: where.file, offset: runtime ? 1 : 0 });
    }
  };
  const inlineTemplate = (text: string, context: TemplateContext): nunjucks.Template => run({ source: text }, context, () => compile(text), false);
  return {
    renderValue(text, context) {
      const whole = WHOLE_EXPRESSION.exec(text.trim());
      const source = whole ? `{{ (${whole[1]}) | dump }}` : text;
      const template = inlineTemplate(source, context);
      const out = run({ source: text }, context, () => tokens.renderWithoutSecrets(() => template.render(context)), true);
      if (!whole) return out;
      if (out === '' || out === undefined) throw new TemplateFailure(`undefined value in ${text.trim()}`, undefined, 1, 1);
      return JSON.parse(out) as unknown;
    },
    evaluate(expression, context) {
      const template = inlineTemplate(`{% if (${expression}) %}1{% endif %}`, context);
      return run({ source: expression }, context, () => tokens.renderWithoutSecrets(() => template.render(context)), true) === '1';
    },
    renderText(text, context) {
      if (!isTemplated(text)) return { text, secrets: [] };
      const template = inlineTemplate(text, context);
      return run({ source: text }, context, () => tokens.renderWithSecrets(() => template.render(context)), true);
    },
    renderFile(file, context) {
      const template = run({ file }, context, () => env.getTemplate(file, true), false);
      return run({ file }, context, () => tokens.renderWithSecrets(() => template.render(context)), true);
    },
    find({ component, state, path }) {
      const tried = [...new Set([state, 'default'])].map((s) => `templates/${component}/${s}/${path}`);
      for (const file of tried) {
        const where = lookup(file);
        if (where === 'file') return { found: file, tried };
        if (where !== 'missing') return { tried, outside: outsideMessage(file, where) };
      }
      return { tried };
    },
    read,
    secret: (name) => tokens.call(name),
  };
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * 'file' when `path` is a regular file whose real path lies inside `realRoot`, 'missing' when it is
 * no file, else the real path it leads to. By real path, not by name: a committed symbolic link (or a
 * linked directory) could otherwise ship /root/.ssh/id_ed25519 to a host and into the plan.
 */
export function locateInside(realRoot: string, path: string): string {
  let real: string;
  try {
    real = realpathSync(path);
    if (!statSync(real).isFile()) return 'missing';
  } catch {
    return 'missing';
  }
  const rel = relative(realRoot, real);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep) ? 'file' : real;
}

/** The problem text for a repository file that resolves outside the repository. */
export function outsideMessage(file: string, real: string): string {
  return `${file} resolves to ${real}, outside the repository (a symbolic link); commit the file itself: templates, sources and hook scripts must stay inside the repository`;
}

/** A relative path without `..` segments or empty segments. */
export function isSafeRelative(path: string): boolean {
  return !path.startsWith('/') && path.split('/').every((s) => s !== '..' && s !== '');
}

/**
 * Turns a nunjucks error into a TemplateFailure. Nunjucks messages look like
 * `(templates/x/default/a.conf) [Line 3, Column 7]\n  attempted to output null or undefined value`;
 * some carry no position, then it is guessed from the source.
 */
function toFailure(error: unknown, options: { inlineSource: string | undefined; readText: (file: string) => string | undefined; context: TemplateContext; file: string | undefined; offset: number }): TemplateFailure {
  if (error instanceof TemplateFailure) return error;
  const text = error instanceof Error ? error.message : String(error);
  const all = [...text.matchAll(/^\s*(?:Template render error: )?\(([^()\n]*)\)(?: \[Line (\d+), Column (\d+)\])?/gm)];
  const head = all.filter((m) => m[1] !== 'unknown path').pop();
  const path = head?.[1];
  const file = path && path !== '<inline>' && path.startsWith('templates/') ? path : options.file;
  const detail = text.split('\n').map((l) => l.trim()).filter((l) => l && !/^\(.*\)( \[Line \d+, Column \d+\])?$/.test(l) && !l.startsWith('Template render error')).pop() ?? text;
  const message = detail.replace(/^[A-Za-z]*Error: /, '');
  // Nunjucks counts from 0 where it wraps a JavaScript error thrown while rendering (handleError),
  // from 1 in its own errors (parse errors, undefined output).
  const offset = /^[A-Za-z]*Error: /.test(detail) ? options.offset : 0;
  const source = file ? options.readText(file) : options.inlineSource;
  let line = head?.[2] ? Number(head[2]) + offset : 0;
  let col = head?.[3] ? Number(head[3]) + offset : 0;
  if (!line && source !== undefined) [line, col] = guessPosition(source, message);
  return new TemplateFailure(explain({ message, source, line, col, context: options.context }), file, line || 1, col || 1);
}

function explain(options: { message: string; source: string | undefined; line: number; col: number; context: TemplateContext }): string {
  const { message, source, line, col, context } = options;
  if (!message.startsWith('attempted to output null or undefined value')) return message;
  const snippet = source === undefined ? undefined : expressionAt(source, line, col);
  const fix = 'define it in data or params, or use "| default(...)"';
  if (!snippet) return `undefined variable or value; ${fix}`;
  const name = /^\{\{-?\s*([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)/.exec(snippet)?.[1];
  const missing = name ? firstMissing(name.split('.'), context) : undefined;
  if (!missing) return `undefined variable or value in ${snippet}; ${fix}`;
  const hint = didYouMean(missing.key, missing.keys);
  if (missing.parent === '') return `undefined variable "${missing.key}" in ${snippet}${hint || `; ${fix}`}`;
  return `undefined value in ${snippet}: ${missing.parent} has no "${missing.key}"${hint || `; ${fix}`}`;
}

function firstMissing(segments: string[], context: TemplateContext): { parent: string; key: string; keys: string[] } | undefined {
  let node: unknown = context;
  for (let i = 0; i < segments.length; i++) {
    if (node === null || typeof node !== 'object') return undefined;
    const record = node as Record<string, unknown>;
    const value = record[segments[i]!];
    if (value === undefined || value === null) return { parent: segments.slice(0, i).join('.'), key: segments[i]!, keys: Object.keys(record) };
    node = value;
  }
  return undefined;
}

function expressionAt(source: string, line: number, col: number): string | undefined {
  const text = source.split('\n')[line - 1];
  if (text === undefined) return undefined;
  const start = text.lastIndexOf('{{', Math.max(0, col));
  const end = text.indexOf('}}', start);
  return start >= 0 && end > start ? text.slice(start, end + 2) : undefined;
}

function guessPosition(source: string, message: string): [number, number] {
  const secret = /^secret\("([^"]+)"\)/.exec(message)?.[1];
  if (secret !== undefined) {
    const call = new RegExp(`secret\\(\\s*["']${secret.replace(/[.]/g, '\\.')}["']`).exec(source);
    if (call) return positionOf(source, call.index);
  }
  const token = /filter not found: (\S+)/.exec(message)?.[1] ?? /Unable to call `([^`]+)`/.exec(message)?.[1]
    ?? /template not found: ([^;\s]+)/.exec(message)?.[1];
  const needle = token ?? (message.includes('end of file') || message.includes('expected variable end') ? lastOpening(source) : undefined);
  if (needle === undefined) return [1, 1];
  const index = typeof needle === 'number' ? needle : source.indexOf(needle);
  return index < 0 ? [1, 1] : positionOf(source, index);
}

function positionOf(source: string, index: number): [number, number] {
  const before = source.slice(0, index).split('\n');
  return [before.length, before[before.length - 1]!.length + 1];
}

function lastOpening(source: string): number {
  return Math.max(source.lastIndexOf('{{'), source.lastIndexOf('{%'));
}
