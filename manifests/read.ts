/**
 * Reading a manifest repository from disk: the YAML files (parsed with source positions)
 * and the hook scripts. Nothing here interprets the content beyond YAML.
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node } from 'yaml';
import { DroverError, type ManifestProblem } from './errors.js';
import type { HookScript } from './types.js';
import { describeValue } from './messages.js';
import { checkSecretsDir } from './secrets-dir.js';
import { locateInside, outsideMessage } from './templates.js';
import { createYielder, mapYielding, type Yielder } from './yield.js';

/** A segment of a path into a YAML document: a mapping key or a list index. */
export type PathSegment = string | number;

/** One parsed YAML file of the repository. */
export interface SourceFile {
  /** Path relative to the repository root, e.g. `hosts/web1.yaml`. */
  file: string;
  /** File name without `.yaml`: the host, group or role name. */
  name: string;
  /** The file's text: a released document is parsed from it again when a position is asked for. */
  text: string;
  /** The parsed document and its line map; undefined once released (releaseDocument()) until needed again. */
  parsed: ParsedText | undefined;
  /** Positions kept when the document was released, by place (see releaseDocument()). */
  kept?: Map<string, { line: number; col: number }>;
  /** The document as plain data; `{}` for an empty document; undefined when it could not be read. */
  value: Record<string, unknown> | undefined;
}

/** A YAML document with source positions. */
export interface ParsedText {
  doc: Document.Parsed;
  lines: LineCounter;
}

/** Everything read from a repository directory, before any interpretation. */
export interface RepositoryFiles {
  root: string;
  settings: SourceFile | undefined;
  hosts: SourceFile[];
  groups: SourceFile[];
  roles: SourceFile[];
  hooks: HookScript[];
  /** Names of the secrets kept in secrets/<name>.age (well-formed ones). */
  secrets: string[];
  /** YAML syntax errors, duplicate keys, non-mapping documents, misnamed files, stray files in secrets/. */
  problems: ManifestProblem[];
}

/** 1-based position of a node (or of its key, with `key: true`); the deepest existing ancestor when the path is missing. */
export function locate(source: SourceFile, path: readonly PathSegment[], options: { key?: boolean } = {}): { line: number; col: number } {
  const kept = source.parsed ? undefined : source.kept?.get(placeOf(path, options.key));
  if (kept) return kept;
  const parsed = (source.parsed ??= parseText(source.text));
  let node: unknown = parsed.doc.contents;
  let keyNode: unknown;
  for (const segment of path) {
    const next = childOf(parsed.doc, node, segment);
    if (!next) break;
    [node, keyNode] = [next.value, next.key];
  }
  const target = (options.key && keyNode) || node;
  const range = (target as Node | null)?.range;
  if (!range) return { line: 1, col: 1 };
  return parsed.lines.linePos(range[0]);
}

/**
 * Drops the parsed document of `source` (a YAML document of a small host file weighs some 30 times its
 * text), keeping the value, the text and the positions of the nodes at `paths`; any other position is
 * found by parsing the text again (only problems ask for those). Positions are the same either way.
 */
export function releaseDocument(source: SourceFile, paths: readonly (readonly PathSegment[])[]): void {
  if (!source.parsed) return;
  const kept = new Map<string, { line: number; col: number }>();
  for (const path of paths) kept.set(placeOf(path, false), locate(source, path));
  source.kept = kept;
  source.parsed = undefined;
}

function placeOf(path: readonly PathSegment[], key: boolean | undefined): string {
  return `${key ? 'k' : 'v'}${JSON.stringify(path)}`;
}

function childOf(doc: Document.Parsed, node: unknown, segment: PathSegment): { key?: unknown; value: unknown } | undefined {
  const resolved = isAlias(node) ? node.resolve(doc) : node;
  if (isMap(resolved)) {
    const pair = resolved.items.find((p) => isPair(p) && String(isScalar(p.key) ? p.key.value : p.key) === String(segment));
    return pair ? { key: pair.key, value: pair.value ?? pair.key } : undefined;
  }
  if (isSeq(resolved) && typeof segment === 'number') {
    const item = resolved.items[segment];
    return item ? { value: item } : undefined;
  }
  return undefined;
}

/** Formats a path as users read it: `resources[2].mode`, `resolver["db.internal"]`; `` for the root. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** Parses one YAML file; problems (syntax, duplicate keys, not a mapping) are appended to `problems`. */
export function parseYamlFile(options: { file: string; name: string; text: string; problems: ManifestProblem[] }): SourceFile {
  const { file, name, text, problems } = options;
  const parsed = parseText(text);
  const { doc, lines } = parsed;
  const source: SourceFile = { file, name, text, parsed, value: undefined };
  for (const error of doc.errors) {
    const pos = lines.linePos(error.pos[0]);
    const message = error.code === 'DUPLICATE_KEY' ? 'duplicate key; each key may appear once in a mapping' : `YAML syntax error: ${firstLine(error.message)}`;
    problems.push({ file, ...pos, path: '', message });
  }
  if (doc.errors.length > 0) return source;
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    problems.push({ file, line: 1, col: 1, path: '', message: `YAML error: ${firstLine((error as Error).message)}` });
    return source;
  }
  if (value === null || value === undefined) value = {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push({ file, line: 1, col: 1, path: '', message: `expected a mapping (key: value lines) at the top of the file, got ${describeValue(value)}` });
    return source;
  }
  source.value = value as Record<string, unknown>;
  return source;
}

function parseText(text: string): ParsedText {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, keepSourceTokens: false });
  return { doc, lines };
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

/** The directories of YAML files a repository has besides drover.yaml. */
export type YamlDir = 'hosts' | 'groups' | 'roles';

/** Options of readRepositoryFiles(). */
export interface ReadOptions {
  /** Called between parsed files to let the event loop run (default: createYielder()). */
  pause?: Yielder;
  /**
   * Called with each file of hosts/, groups/ and roles/ as soon as it is parsed, before the next one
   * is: work done here while the document is fresh lets it be released at once (releaseDocument()).
   */
  parsed?: (source: SourceFile, dir: YamlDir) => void;
}

/**
 * Reads the repository at `root`, letting the event loop run (through `options.pause`) between parsed
 * files. Throws DroverError E_REPO_NOT_FOUND when `root` is not a directory.
 */
export async function readRepositoryFiles(root: string, options: ReadOptions = {}): Promise<RepositoryFiles> {
  const pause = options.pause ?? createYielder();
  const parsed = options.parsed ?? (() => undefined);
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new DroverError('E_REPO_NOT_FOUND', `manifest repository not found: ${root} is not a directory`);
  }
  const problems: ManifestProblem[] = [];
  const [settings, hosts, groups, roles, hooks, secrets] = await Promise.all([
    readSettings(root, problems),
    readYamlDir({ root, dir: 'hosts', problems, pause, parsed }),
    readYamlDir({ root, dir: 'groups', problems, pause, parsed }),
    readYamlDir({ root, dir: 'roles', problems, pause, parsed }),
    readHooks(root, problems),
    checkSecretsDir(root),
  ]);
  problems.push(...secrets.problems);
  return { root, settings, hosts, groups, roles, hooks, secrets: secrets.names, problems };
}

async function readSettings(root: string, problems: ManifestProblem[]): Promise<SourceFile | undefined> {
  const text = await readFile(join(root, 'drover.yaml'), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  return parseYamlFile({ file: 'drover.yaml', name: 'drover', text, problems });
}

async function readYamlDir(options: {
  root: string; dir: YamlDir; problems: ManifestProblem[]; pause: Yielder; parsed: (source: SourceFile, dir: YamlDir) => void;
}): Promise<SourceFile[]> {
  const { root, dir, problems, pause } = options;
  const entries = await listFiles(join(root, dir));
  const names = entries.filter((e) => e.endsWith('.yaml')).sort();
  for (const misnamed of entries.filter((e) => e.endsWith('.yml'))) {
    problems.push({ file: `${dir}/${misnamed}`, line: 0, col: 0, path: '', message: `ignored: drover reads only .yaml files; rename it to ${misnamed.slice(0, -4)}.yaml` });
  }
  const texts = await mapInBatches(names, 64, (n) => readFile(join(root, dir, n), 'utf8'));
  return mapYielding(names, pause, (n, i) => {
    const source = parseYamlFile({ file: `${dir}/${n}`, name: n.slice(0, -5), text: texts[i]!, problems });
    options.parsed(source, dir);
    return source;
  });
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => e.name);
}

async function mapInBatches<T, R>(items: T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

async function readHooks(root: string, problems: ManifestProblem[]): Promise<HookScript[]> {
  const hooks: HookScript[] = [];
  const realRoot = await realpath(root);
  for (const phase of ['pre', 'post'] as const) {
    const base = join(root, 'scripts', phase);
    const steps = (await readdir(base, { withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory() || e.isSymbolicLink()).map((e) => e.name).sort();
    for (const step of steps) {
      const entries = await readdir(join(base, step), { withFileTypes: true }).catch(() => []);
      const names = entries.filter((e) => (e.isFile() || e.isSymbolicLink()) && e.name.endsWith('.sh') && !e.name.startsWith('.')).map((e) => e.name).sort();
      for (const name of names) {
        const file = `scripts/${phase}/${step}/${name}`;
        // By real path: a committed link could otherwise run (and show) any file of the controller.
        const where = locateInside(realRoot, join(root, file));
        if (where === 'file') hooks.push({ step, phase, name, script: await readFile(join(root, file), 'utf8') });
        else if (where !== 'missing') problems.push({ file, line: 1, col: 1, path: '', message: outsideMessage(file, where) });
      }
    }
  }
  return hooks;
}
