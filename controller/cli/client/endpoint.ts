/**
 * Which controller the client commands (`drover sync|suspend|resume`, `drover hosts --controller`)
 * talk to, and with which token: flags first, then DROVER_URL and DROVER_TOKEN / DROVER_TOKEN_FILE,
 * then the controller config file (its `listen`, `tls` and API token).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DroverError } from '../../../manifests/errors.js';
import { loadControllerConfig } from '../../config/index.js';
import type { CliIo } from '../io.js';

/** A controller to call. */
export interface ControllerEndpoint {
  /** Base URL without a trailing slash. */
  url: string;
  token?: string;
}

/** Flags every client command takes. */
export interface EndpointFlags {
  controller?: string;
  tokenFile?: string;
  config?: string;
}

/**
 * Resolves the endpoint. Throws DroverError E_USAGE when no controller URL can be found (saying
 * where it is looked for) or a token file cannot be read.
 */
export async function resolveEndpoint(io: CliIo, flags: EndpointFlags): Promise<ControllerEndpoint> {
  const url = flags.controller ?? io.env.DROVER_URL;
  const tokenFile = flags.tokenFile ?? io.env.DROVER_TOKEN_FILE;
  let token = tokenFile !== undefined ? await readToken(io, tokenFile) : io.env.DROVER_TOKEN?.trim() || undefined;
  if (url !== undefined) return { url: checkUrl(url), ...(token ? { token } : {}) };
  const settings = await loadControllerConfig({ cwd: io.cwd, env: io.env, isRoot: process.getuid?.() === 0, ...(flags.config ? { configFile: flags.config } : {}) })
    .catch((err: unknown) => {
      if (err instanceof DroverError && err.code === 'E_CONFIG_NO_SOURCE') {
        throw new DroverError('E_USAGE', 'no controller to ask: pass --controller URL, set DROVER_URL, or run where the controller config (drover.config.yaml) is, or pass --config FILE');
      }
      throw err;
    });
  token ??= settings.apiToken?.reveal();
  return { url: listenUrl(settings.listen, settings.tls !== undefined), ...(token ? { token } : {}) };
}

/** The URL a client uses for a listen address (`0.0.0.0`, `::` and `` mean this machine). */
export function listenUrl(listen: string, tls: boolean): string {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d+)$/.exec(listen);
  const host = m?.[1] ?? m?.[2] ?? '';
  const shown = host === '' || host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  return `${tls ? 'https' : 'http'}://${shown}:${m?.[3] ?? '8080'}`;
}

function checkUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DroverError('E_USAGE', `controller URL ${JSON.stringify(url)} is not a URL; give e.g. http://127.0.0.1:8080`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new DroverError('E_USAGE', `controller URL ${url} must start with http:// or https://`);
  return url.replace(/\/+$/, '');
}

async function readToken(io: CliIo, file: string): Promise<string> {
  const text = await readFile(resolve(io.cwd, file), 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new DroverError('E_USAGE', `cannot read the token file ${file}: ${err.code ?? err.message}`);
  });
  const token = text.trim();
  if (!token) throw new DroverError('E_USAGE', `the token file ${file} is empty`);
  return token;
}
