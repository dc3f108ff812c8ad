/**
 * The config keys of reporting back (docs/report.md): scoped API tokens (`apiTokens`), commit statuses
 * (`commitStatus`), notifications (`notifications`), the event log's bounds (`eventLog`) and `publicUrl`.
 * checkReportRules says what the schema cannot; resolveReport reads their credentials into Secrets.
 */
import type { ControllerConfig } from '../../schema/generated/config.js';
import { parseDuration } from './duration.js';
import type { ConfigProblems } from './errors.js';
import { Secret } from './secret.js';
import type { ApiTokenSettings, CommitStatusSettings, ControllerSettings, EventLogSettings, NotificationSettings } from './types.js';

/** The name the token of apiTokenFile/apiTokenEnv goes by (an admin token). */
export const LEGACY_TOKEN_NAME = 'apiToken';

/** Default API bases per forge (gitea has none: every Gitea is self-hosted). */
const DEFAULT_API_URL: Readonly<Record<string, string>> = { github: 'https://api.github.com', gitlab: 'https://gitlab.com/api/v4' };

/** Reads a credential from its file or environment variable (resolve.ts's readSecret). */
export type SecretReader = (spec: {
  file: string | undefined; env: string | undefined; at: (string | number)[]; minLength?: number; keys?: { file: string; env: string }; label?: string;
}) => Promise<Secret | undefined>;

/** The rules beyond the schema: one of file/env, unique names, a repository of the provider's form. */
export function checkReportRules(config: ControllerConfig, problems: ConfigProblems): void {
  const seen = new Set<string>();
  (config.apiTokens ?? []).forEach((t, i) => {
    oneOf(problems, ['apiTokens', i], t, 'file', 'env');
    if (t.name === LEGACY_TOKEN_NAME) problems.at(['apiTokens', i, 'name'], `"${LEGACY_TOKEN_NAME}" names the token of apiTokenFile/apiTokenEnv; choose another name`);
    else if (seen.has(t.name)) problems.at(['apiTokens', i, 'name'], `another token is named "${t.name}" already; names must be unique (the event log tells tokens apart by name)`);
    seen.add(t.name);
  });
  const status = config.commitStatus;
  if (status) {
    oneOf(problems, ['commitStatus'], status, 'tokenFile', 'tokenEnv');
    if (status.provider === 'gitea' && status.apiUrl === undefined) problems.at(['commitStatus'], 'gitea needs apiUrl: the root URL of the Gitea server, e.g. https://gitea.example.com', { key: true });
    if (status.provider !== 'gitlab' && !/^[^/\s]+\/[^/\s]+$/.test(status.repository)) {
      problems.at(['commitStatus', 'repository'], `${status.provider} names a repository as owner/name (e.g. ops/fleet), not "${status.repository}"`);
    }
  }
  const names = new Set<string>();
  (config.notifications ?? []).forEach((n, i) => {
    oneOf(problems, ['notifications', i], n, 'url', 'urlFile');
    if (n.secretFile !== undefined && n.secretEnv !== undefined) problems.at(['notifications', i, 'secretEnv'], 'give one of secretFile and secretEnv', { key: true });
    const name = n.name ?? String(i);
    if (names.has(name)) problems.at(['notifications', i, n.name === undefined ? 'url' : 'name'], `another notification is named "${name}" already; names must be unique (they label drover_notifications_total)`);
    names.add(name);
  });
}

function oneOf(problems: ConfigProblems, at: (string | number)[], value: object, a: string, b: string): void {
  const has = (k: string): boolean => (value as Record<string, unknown>)[k] !== undefined;
  if (has(a) && has(b)) problems.at([...at, b], `give one of ${a} and ${b}`, { key: true });
  else if (!has(a) && !has(b)) problems.at(at, `give ${a} or ${b}`);
}

/**
 * The report settings of `config`, credentials read through `read`: adds apiTokens, publicUrl,
 * commitStatus, notifications and eventLog to `settings`. Two tokens with the same value are a problem
 * (a request could not say which one acted); the message names the tokens, never the value.
 */
export async function resolveReport(config: ControllerConfig, settings: ControllerSettings, read: SecretReader, problems: ConfigProblems): Promise<void> {
  const tokens: ApiTokenSettings[] = [];
  for (const [i, t] of (config.apiTokens ?? []).entries()) {
    const token = await read({ file: t.file, env: t.env, at: ['apiTokens', i, 'token'], minLength: 16, keys: { file: 'file', env: 'env' }, label: `API token ${t.name}` });
    if (token) tokens.push({ name: t.name, role: t.role, token });
  }
  sameValues(tokens, settings.apiToken, problems);
  if (tokens.length) settings.apiTokens = tokens;
  if (config.publicUrl !== undefined) settings.publicUrl = config.publicUrl.replace(/\/+$/, '');
  const status = config.commitStatus && await resolveCommitStatus(config.commitStatus, read);
  if (status) settings.commitStatus = status;
  const notifications: NotificationSettings[] = [];
  for (const [i, n] of (config.notifications ?? []).entries()) {
    const label = `notification ${n.name ?? i}`;
    const url = n.url !== undefined ? undefined : await read({ file: n.urlFile, env: undefined, at: ['notifications', i, 'url'], label: `${label} URL` });
    const secret = await read({ file: n.secretFile, env: n.secretEnv, at: ['notifications', i, 'secret'], minLength: 16, label: `${label} secret` });
    const target = n.url !== undefined ? new Secret(n.url) : url;
    if (url !== undefined && !/^https?:\/\/\S+$/.test(url.reveal())) problems.at(['notifications', i, 'urlFile'], `${n.urlFile} does not hold an http:// or https:// URL`);
    if (!target) continue;
    notifications.push({
      name: n.name ?? String(i), url: target, format: n.format, batchWindowMs: parseDuration(n.batchWindow ?? '5s') ?? 5000,
      ...(n.events ? { events: n.events } : {}), ...(secret ? { secret } : {}),
    });
  }
  if (notifications.length) settings.notifications = notifications;
  settings.eventLog = eventLogSettings(config.eventLog);
}

async function resolveCommitStatus(c: NonNullable<ControllerConfig['commitStatus']>, read: SecretReader): Promise<CommitStatusSettings | undefined> {
  const token = await read({ file: c.tokenFile, env: c.tokenEnv, at: ['commitStatus', 'token'], label: 'commitStatus token' });
  const apiUrl = (c.apiUrl ?? DEFAULT_API_URL[c.provider] ?? '').replace(/\/+$/, '');
  if (!token || !apiUrl) return undefined;
  return { provider: c.provider, apiUrl, repository: c.repository, token, ...(c.context === undefined ? {} : { context: c.context }) };
}

/** The event log's bounds with their defaults. */
export function eventLogSettings(c: ControllerConfig['eventLog']): EventLogSettings {
  return { maxBytes: (c?.maxMegabytes ?? 128) * 1024 * 1024, maxEvents: c?.maxEvents ?? 1_000_000, maxAgeMs: parseDuration(c?.maxAge ?? '720h') ?? 0 };
}

function sameValues(tokens: ApiTokenSettings[], legacy: Secret | undefined, problems: ConfigProblems): void {
  const all = [...(legacy ? [{ name: LEGACY_TOKEN_NAME, token: legacy }] : []), ...tokens];
  const byValue = new Map<string, string>();
  for (const t of all) {
    const other = byValue.get(t.token.reveal());
    if (other !== undefined) problems.at(['apiTokens'], `tokens "${other}" and "${t.name}" are the same; give each its own token`);
    else byValue.set(t.token.reveal(), t.name);
  }
}
