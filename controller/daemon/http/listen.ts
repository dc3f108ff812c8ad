/**
 * Where the API listens, and whether that is allowed: without an API token only a loopback address
 * is (plans show configuration files; an open API on the network would show them to anyone).
 */
import { isIP } from 'node:net';
import { DroverError } from '../../../manifests/errors.js';

/** A parsed `host:port`. */
export interface ListenAddress {
  host: string;
  port: number;
}

/**
 * Splits `host:port` (`[::1]:8080` for IPv6, `:8080` for every IPv4 interface; port 0 picks a free
 * one). Throws DroverError E_CONFIG_INVALID naming the setting when it is not one.
 */
export function parseListenAddress(listen: string, setting = 'listen'): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(listen);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) {
    throw new DroverError('E_CONFIG_INVALID', `${setting} ${JSON.stringify(listen)} is not host:port (e.g. 127.0.0.1:8080 or [::1]:8080)`);
  }
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}

/** True for 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/**
 * Throws DroverError E_API_TOKEN_REQUIRED (stalled) when `listen` is not a loopback address and no
 * API token is configured, saying how to fix it.
 */
export function checkListenAllowed(listen: string, hasToken: boolean): ListenAddress {
  const address = parseListenAddress(listen);
  if (!hasToken && !isLoopback(address.host)) {
    throw new DroverError('E_API_TOKEN_REQUIRED',
      `listen ${listen} is not a loopback address and no API token is configured: set apiTokenFile or apiTokenEnv in the controller config, or listen on 127.0.0.1`);
  }
  return address;
}

/** `http(s)://host:port` for a bound address (IPv6 in brackets). */
export function urlOf(address: ListenAddress, tls: boolean): string {
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return `${tls ? 'https' : 'http'}://${host}:${address.port}`;
}
