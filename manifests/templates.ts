/**
 * Nunjucks rendering for one repository: template files under templates/ (found by component
 * and state, falling back to default/), inline `{{ }}` strings, and `when` expressions.
 * Compiled templates are cached per engine; an engine lives for one load.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import nunjucks from 'nunjucks';
import { didYouMean } from './messages.js';

/** A template failure with its position: in a template file (`file` set) or in an inline string. */
export class TemplateFailure extends Error {
  constructor(message: string, readonly file: string | undefined, readonly line: number, readonly col: number) {
    super(message);
    this.name = 'TemplateFailure';
  }
}

/** Values a template sees (see docs/design.md "Templates"). */
export type TemplateContext = Record<string, unknown>;

/** Renders templates of one repository. Every method throws TemplateFailure for template errors. */
export interface TemplateEngine {
  /** Renders an inline string; a string that is one `{{ expr }}` yields the expression's value (number, boolean, ...). */
  renderValue(text: string, context: TemplateContext): unknown;
  /** Evaluates a `when` expression to a boolean. */
  evaluate(expression: string, context: TemplateContext): boolean;
  /** Renders a template file, given as a path relative to the repository (`templates/...`). */
  renderFile(file: string, context: TemplateContext): string;
  /** Finds `templates/<component>/<state>/<path>`, else `.../default/<path>`; `found` is repository-relative. */
  find(options: { component: string; state: string; path: string }): { found?: string; tried: string[] };
  /** Bytes of a repository file (cached). */
  read(file: string): Buffer;
}

/** True when a string holds nunjucks syntax and must be rendered. */
export function isTemplated(text: string): boolean {
  return text.includes('{{') || text.includes('{%');
}

const WHOLE_EXPRESSION = /^\{\{((?:(?!\}\}|\{\{).)*)\}\}$/s;

/** An engine for the repository at `root`; includes are restricted to its templates/ directory. */
export function createTemplateEngine(root: string): TemplateEngine {
  const files = new Map<string, Buffer>();
  const exists = new Map<string, boolean>();
  const read = (file: string): Buffer => {
    let data = files.get(file);
    if (!data) files.set(file, (data = readFileSync(join(root, file))));
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
      if (!isSafeRelative(file) || !isFile(join(root, file))) {
        throw new Error(`template not found: ${name}; includes name a file under templates/, without ".." segments`);
      }
      return { src: read(file).toString('utf8'), path: file, noCache: false };
    },
  };
  const env = new nunjucks.Environment([loader as unknown as nunjucks.ILoader], { throwOnUndefined: true, autoescape: false });
  const inline = new Map<string, nunjucks.Template>();
  const compile = (source: string): nunjucks.Template => {
    let template = inline.get(source);
    if (!template) inline.set(source, (template = new nunjucks.Template(source, env, '<inline>', true)));
    return template;
  };
  const run = <T>(source: string | undefined, context: TemplateContext, fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      throw toFailure(error, { inlineSource: source, readText, context });
    }
  };
  return {
    renderValue(text, context) {
      const whole = WHOLE_EXPRESSION.exec(text.trim());
      if (!whole) return run(text, context, () => compile(text).render(context));
      const json = run(text, context, () => compile(`{{ (${whole[1]}) | dump }}`).render(context));
      if (json === '' || json === undefined) throw new TemplateFailure(`undefined value in ${text.trim()}`, undefined, 1, 1);
      return JSON.parse(json) as unknown;
    },
    evaluate(expression, context) {
      return run(expression, context, () => compile(`{% if (${expression}) %}1{% endif %}`).render(context)) === '1';
    },
    renderFile(file, context) {
      return run(undefined, context, () => env.getTemplate(file, true).render(context));
    },
    find({ component, state, path }) {
      const tried = [...new Set([state, 'default'])].map((s) => `templates/${component}/${s}/${path}`);
      const found = tried.find((file) => {
        let ok = exists.get(file);
        if (ok === undefined) exists.set(file, (ok = isSafeRelative(file) && isFile(join(root, file))));
        return ok;
      });
      return found ? { found, tried } : { tried };
    },
    read,
  };
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
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
function toFailure(error: unknown, options: { inlineSource: string | undefined; readText: (file: string) => string | undefined; context: TemplateContext }): TemplateFailure {
  if (error instanceof TemplateFailure) return error;
  const text = error instanceof Error ? error.message : String(error);
  const all = [...text.matchAll(/^\s*(?:Template render error: )?\(([^()\n]*)\)(?: \[Line (\d+), Column (\d+)\])?/gm)];
  const head = all.filter((m) => m[1] !== 'unknown path').pop();
  const path = head?.[1];
  const file = path && path !== '<inline>' && path.startsWith('templates/') ? path : undefined;
  const detail = text.split('\n').map((l) => l.trim()).filter((l) => l && !/^\(.*\)( \[Line \d+, Column \d+\])?$/.test(l) && !l.startsWith('Template render error')).pop() ?? text;
  const message = detail.replace(/^Error: /, '');
  const source = file ? options.readText(file) : options.inlineSource;
  let line = head?.[2] ? Number(head[2]) : 0;
  let col = head?.[3] ? Number(head[3]) : 0;
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
  const token = /filter not found: (\S+)/.exec(message)?.[1] ?? /Unable to call `([^`]+)`/.exec(message)?.[1]
    ?? /template not found: ([^;\s]+)/.exec(message)?.[1];
  const needle = token ?? (message.includes('end of file') || message.includes('expected variable end') ? lastOpening(source) : undefined);
  if (needle === undefined) return [1, 1];
  const index = typeof needle === 'number' ? needle : source.indexOf(needle);
  if (index < 0) return [1, 1];
  const before = source.slice(0, index).split('\n');
  return [before.length, before[before.length - 1]!.length + 1];
}

function lastOpening(source: string): number {
  return Math.max(source.lastIndexOf('{{'), source.lastIndexOf('{%'));
}
