/** Pure helpers about repository URLs: which transport git will use, and how to show one safely. */
import { isAbsolute, resolve } from 'node:path';
import { scrubSecrets } from '../../manifests/errors.js';

/** The transport a URL selects. `ssh` covers both `ssh://` and the scp-like `user@host:path`. */
export type UrlKind = 'local' | 'file' | 'ssh' | 'http' | 'git';

const SCHEMES: Record<string, UrlKind> = { file: 'file', ssh: 'ssh', 'git+ssh': 'ssh', 'ssh+git': 'ssh', http: 'http', https: 'http', git: 'git' };

/**
 * Classifies `url` the way git does (see git's url.c / connect.c): `scheme://...`; scp-like when a `:`
 * comes before any `/`; otherwise a local path. Returns a problem string for what drover refuses:
 * an empty URL, one starting with `-` (read as an option), git's `transport::address` helpers
 * (e.g. `ext::`, which runs commands), and unknown schemes.
 */
export function classifyUrl(url: string): { kind: UrlKind } | { problem: string } {
  if (url.trim() === '') return { problem: 'is empty' };
  if (url.startsWith('-')) return { problem: 'starts with "-"' };
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(url);
  if (scheme) {
    const kind = SCHEMES[scheme[1]!.toLowerCase()];
    return kind ? { kind } : { problem: `uses the unsupported scheme "${scheme[1]}" (use a path, file://, ssh://, user@host:path, https://)` };
  }
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*::/.test(url)) return { problem: 'uses a git remote helper ("transport::address"), which drover does not run' };
  const colon = url.indexOf(':');
  const slash = url.indexOf('/');
  if (colon > 0 && (slash === -1 || colon < slash)) return { kind: 'ssh' };
  return { kind: 'local' };
}

/** A local path made absolute against `cwd` (the controller's directory must not change what a path means); other URLs unchanged. */
export function absoluteUrl(url: string, kind: UrlKind, cwd: string): string {
  return kind === 'local' && !isAbsolute(url) ? resolve(cwd, url) : url;
}

/** `url` fit for a message or log: any user:password@ part becomes `***@`. */
export function displayUrl(url: string): string {
  return scrubSecrets(url);
}
