/** Checks a SourceSpec before any git runs (pure). */
import { DroverError } from '../../manifests/errors.js';
import { isCommitId, refNameProblem } from './ref.js';
import type { SourceSpec } from './types.js';
import { scrub } from './errors.js';
import { classifyUrl, displayUrl } from './url.js';

function refProblems(ref: SourceSpec['ref']): string[] {
  const keys = Object.keys(ref ?? {});
  if (keys.length !== 1) return ['ref: give exactly one of branch, tag, commit'];
  if ('branch' in ref || 'tag' in ref) {
    const [key, name] = 'branch' in ref ? ['branch', ref.branch] : ['tag', ref.tag];
    const problem = refNameProblem(name);
    return problem ? [`ref.${key}: "${name}" ${problem}; give a valid git ${key} name`] : [];
  }
  return isCommitId(ref.commit) ? [] : [`ref.commit: "${ref.commit}" is not a full 40-hex commit id (lower case)`];
}

function pathProblems(path: string | undefined): string[] {
  if (path === undefined) return [];
  if (path.startsWith('/') || path.split('/').includes('..')) {
    return [`path: "${path}" must be relative to the repository root and must not contain ".."`];
  }
  return [];
}

/** A token goes only to https://, or to plain http:// on this machine (tests, a local proxy): elsewhere anyone on the path could read it. */
function tokenProblems(url: string, kind: string): string[] {
  if (kind !== 'http') return ['token: a token is only sent to https:// URLs; use sshKeyFile for ssh'];
  if (/^https:/i.test(url)) return [];
  const host = /^http:\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+)/i.exec(url)?.[1]?.toLowerCase();
  return host === 'localhost' || host === '[::1]' || host?.startsWith('127.') ? [] : ['token: the token would travel unencrypted over http://; use an https:// URL'];
}

/** Every problem of `spec` as `field: what is wrong; how to fix it`, empty when it is fine. */
export function sourceSpecProblems(spec: SourceSpec): string[] {
  const problems: string[] = [];
  const url = classifyUrl(spec.url ?? '');
  if ('problem' in url) problems.push(`url: "${displayUrl(spec.url)}" ${url.problem}`);
  problems.push(...refProblems(spec.ref), ...pathProblems(spec.path));
  if (!Number.isInteger(spec.timeoutMs) || spec.timeoutMs <= 0) problems.push(`timeoutMs: ${spec.timeoutMs} must be a positive whole number of ms`);
  if (spec.verifySignatures && !spec.allowedSignersFile) problems.push('allowedSignersFile: verifySignatures needs an allowed signers file (ssh-keygen ALLOWED SIGNERS format)');
  if (spec.token !== undefined && 'kind' in url) problems.push(...tokenProblems(spec.url, url.kind));
  return problems;
}

/** Throws E_SOURCE_CONFIG (stalled) listing every problem of `spec`; returns when it is fine. */
export function assertSourceSpec(spec: SourceSpec): void {
  const problems = sourceSpecProblems(spec);
  if (problems.length > 0) {
    throw new DroverError('E_SOURCE_CONFIG', scrub(`invalid source settings: ${problems.join('; ')}`, spec.token));
  }
}
