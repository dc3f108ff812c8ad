/**
 * Finding and reading the controller config file with cosmiconfig: `--config FILE`, else the first
 * of SEARCH_PLACES in the working directory. YAML and JSON files are parsed here with the `yaml`
 * package (JSON is YAML), which keeps source positions for `file:line:col` errors; .js/.ts files are
 * loaded by cosmiconfig and have no positions.
 */
import { readFile } from 'node:fs/promises';
import { extname, relative, resolve, isAbsolute } from 'node:path';
import { cosmiconfig } from 'cosmiconfig';
import { DroverError, type ManifestProblem } from '../../manifests/errors.js';
import { parseYamlFile, type SourceFile } from '../../manifests/read.js';

/** Where the controller looks for its config, in order (in the working directory only). */
export const SEARCH_PLACES = [
  'drover.config.yaml', 'drover.config.yml', 'drover.config.json', 'drover.config.js', 'drover.config.mjs',
  'drover.config.cjs', 'drover.config.ts',
  '.droverrc', '.droverrc.yaml', '.droverrc.yml', '.droverrc.json', '.droverrc.js', '.droverrc.mjs', '.droverrc.cjs', '.droverrc.ts',
];

const TEXT_FORMATS = new Set(['.yaml', '.yml', '.json', '']);

/** A config file as read: its value, and for YAML/JSON the parsed document (for error positions). */
export interface ConfigFile {
  /** Absolute path. */
  path: string;
  /** The path as shown in errors: relative to the working directory when inside it. */
  shown: string;
  value: unknown;
  source?: SourceFile;
  /** YAML syntax errors and the like (positioned). */
  problems: ManifestProblem[];
}

/**
 * Reads `configFile` (relative to `cwd`) or searches `cwd`. Resolves undefined when no file is given
 * and none is found. Throws DroverError E_CONFIG_NOT_FOUND when the given file does not exist and
 * E_CONFIG_LOAD when a .js/.ts file throws while loading.
 */
export async function findConfigFile(options: { configFile?: string; cwd: string }): Promise<ConfigFile | undefined> {
  const explorer = cosmiconfig('drover', {
    searchPlaces: SEARCH_PLACES,
    searchStrategy: 'none',
    cache: false,
    // Text formats are parsed below with positions; cosmiconfig only finds them.
    loaders: { '.yaml': keepText, '.yml': keepText, '.json': keepText, noExt: keepText },
  });
  const given = options.configFile === undefined ? undefined : resolve(options.cwd, options.configFile);
  if (given !== undefined) {
    const exists = await readFile(given).then(() => true, () => false);
    if (!exists) throw new DroverError('E_CONFIG_NOT_FOUND', `config file not found: ${options.configFile}; pass the path of a drover.config.yaml (or omit --config to search ${options.cwd})`);
  }
  let found: { config: unknown; filepath: string } | null;
  try {
    found = given === undefined ? await explorer.search(options.cwd) : await explorer.load(given);
  } catch (err) {
    const shown = given ?? options.cwd;
    throw new DroverError('E_CONFIG_LOAD', `cannot load the config ${shown}: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
  if (!found) return undefined;
  const shown = showPath(found.filepath, options.cwd);
  if (!TEXT_FORMATS.has(extname(found.filepath))) return { path: found.filepath, shown, value: found.config ?? {}, problems: [] };
  const text = await readFile(found.filepath, 'utf8');
  const problems: ManifestProblem[] = [];
  const source = parseYamlFile({ file: shown, name: 'config', text, problems });
  return { path: found.filepath, shown, value: source.value, source, problems };
}

function keepText(): Record<string, never> {
  return {};
}

function showPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}
