/**
 * Schema validation of the controller config (schema/config.schema.json, the single source of
 * truth), with the same messages as manifest errors, then the rules a schema cannot say.
 */
import type { ValidateFunction } from 'ajv';
import { explainErrors } from '../../manifests/explain.js';
import { schemaIds } from '../../schema/index.js';
import { manifestAjv } from '../../schema/standalone.js';
import type { ControllerConfig } from '../../schema/generated/config.js';
import type { ConfigProblems } from './errors.js';
import { parseShardText } from './shard.js';
import { checkReportRules } from './report.js';

let compiled: ValidateFunction | undefined;

function configValidator(): ValidateFunction {
  compiled ??= manifestAjv().getSchema(schemaIds.config);
  if (!compiled) throw new Error(`schema ${schemaIds.config} is not registered`);
  return compiled;
}

/** Reports every schema violation of `value`; true when it conforms (then it is a ControllerConfig). */
export function validateConfigShape(value: unknown, problems: ConfigProblems): value is ControllerConfig {
  const validate = configValidator();
  if (validate(value)) return true;
  for (const item of explainErrors(validate.errors ?? [], value)) {
    if (!item.hidden) problems.at(item.path, item.message, { key: item.key ?? false });
  }
  return false;
}

/** The rules beyond the schema: one ref at most, no credentials in the URL, a valid shard, retry bounds. */
export function checkConfigRules(config: ControllerConfig, problems: ConfigProblems): void {
  const refs = (['branch', 'tag', 'commit'] as const).filter((k) => config.source[k] !== undefined);
  if (refs.length > 1) problems.at(['source', refs[1]!], `give at most one of branch, tag, commit (found ${refs.join(' and ')})`, { key: true });
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/@\s]+@/i.test(config.source.url) && /^https?:/i.test(config.source.url)) {
    problems.at(['source', 'url'], 'the URL holds credentials; remove them and use source.auth.tokenFile or source.auth.tokenEnv');
  }
  const auth = config.source.auth ?? {};
  if ((auth.tokenFile !== undefined || auth.tokenEnv !== undefined) && !/^https?:\/\//i.test(config.source.url)) {
    problems.at(['source', 'auth', auth.tokenFile !== undefined ? 'tokenFile' : 'tokenEnv'], 'a token is only used with https:// URLs; use auth.sshKeyFile for ssh:// and git@ URLs', { key: true });
  }
  if (auth.tokenFile !== undefined && auth.tokenEnv !== undefined) problems.at(['source', 'auth', 'tokenEnv'], 'give one of tokenFile and tokenEnv', { key: true });
  if (config.shard !== undefined) {
    const parsed = parseShardText(config.shard);
    if ('problem' in parsed) problems.at(['shard'], parsed.problem);
  }
  const retry = config.retry;
  if (retry?.baseSeconds !== undefined && retry.maxSeconds !== undefined && retry.baseSeconds > retry.maxSeconds) {
    problems.at(['retry', 'baseSeconds'], `the first retry delay (${retry.baseSeconds}) is longer than the longest (maxSeconds ${retry.maxSeconds})`);
  }
  checkReportRules(config, problems);
}
