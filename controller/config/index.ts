/**
 * The controller config: cosmiconfig finds drover.config.{yaml,json,js,ts} or .droverrc* (or
 * `--config FILE`), schema/config.schema.json validates it, and it resolves into ControllerSettings.
 * With no file, an embedded default follows `--repo`. Errors are `file:line:col  path  message`.
 */
import { dirname, resolve } from 'node:path';
import { DroverError } from '../../manifests/errors.js';
import { ConfigInvalidError, configProblems } from './errors.js';
import { findConfigFile } from './find.js';
import { isLocalPath, resolveConfig } from './resolve.js';
import type { ConfigOverrides, ControllerSettings } from './types.js';
import { checkConfigRules, validateConfigShape } from './validate.js';

export { ConfigInvalidError } from './errors.js';
export { Secret } from './secret.js';
export { parseDuration } from './duration.js';
export { defaultStateDir } from './resolve.js';
export { SEARCH_PLACES } from './find.js';
export type { ControllerSettings, ConfigOverrides, SourceSettings, SourceRef } from './types.js';

/** What loadControllerConfig needs from the process. */
export interface LoadConfigOptions {
  /** `--config FILE`; otherwise the working directory is searched. */
  configFile?: string;
  cwd: string;
  env: Record<string, string | undefined>;
  /** Running as root (the state dir default is then /var/lib/drover). */
  isRoot: boolean;
  overrides?: ConfigOverrides;
}

/**
 * Loads, validates and resolves the controller config. Throws ConfigInvalidError with every problem
 * (schema, rules, unreadable credential files, unset variables), DroverError E_CONFIG_NOT_FOUND for a
 * missing `--config` file, E_CONFIG_NO_SOURCE when there is neither a config file nor `--repo`.
 */
export async function loadControllerConfig(options: LoadConfigOptions): Promise<ControllerSettings> {
  const file = await findConfigFile({ cwd: options.cwd, ...(options.configFile === undefined ? {} : { configFile: options.configFile }) });
  const overrides = options.overrides ?? {};
  if (!file && overrides.repo === undefined) {
    throw new DroverError('E_CONFIG_NO_SOURCE', `no controller config found in ${options.cwd} and no --repo given; pass --repo URL_OR_PATH, --config FILE, or write a drover.config.yaml with source.url`);
  }
  const problems = configProblems(file);
  if (file && file.value === undefined) throw new ConfigInvalidError(problems.list);
  const value = applyOverrides(file?.value ?? {}, overrides);
  if (!validateConfigShape(value, problems)) throw new ConfigInvalidError(problems.list);
  checkConfigRules(value, problems);
  const settings = await resolveConfig(value, {
    baseDir: file ? dirname(file.path) : options.cwd, env: options.env, isRoot: options.isRoot, cwd: options.cwd,
    ...(file ? { configFile: file.path } : {}),
  }, problems);
  if (problems.list.length > 0) throw new ConfigInvalidError(problems.list);
  // Command-line paths are relative to the working directory, not to the config file.
  if (overrides.stateDir !== undefined) settings.stateDir = resolve(options.cwd, overrides.stateDir);
  if (overrides.repo !== undefined && isLocalPath(overrides.repo)) settings.source.url = resolve(options.cwd, overrides.repo);
  return settings;
}

function applyOverrides(value: unknown, overrides: ConfigOverrides): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const out = { ...(value as Record<string, unknown>) };
  const source = typeof out.source === 'object' && out.source !== null ? { ...(out.source as Record<string, unknown>) } : {};
  if (overrides.repo !== undefined) source.url = overrides.repo;
  if (overrides.branch !== undefined) {
    delete source.tag;
    delete source.commit;
    source.branch = overrides.branch;
  }
  if (overrides.repo !== undefined || overrides.branch !== undefined || out.source !== undefined) out.source = source;
  if (overrides.stateDir !== undefined) out.stateDir = overrides.stateDir;
  if (overrides.listen !== undefined) out.listen = overrides.listen;
  if (overrides.logLevel !== undefined) out.logLevel = overrides.logLevel;
  return out;
}

