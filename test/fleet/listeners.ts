import { readFileSync } from 'node:fs';

/** A TCP socket in LISTEN state on this network namespace (which all fleet hosts share). */
export interface TcpListener {
  /** `0.0.0.0`, `127.77.0.1`, ... or `::` and other IPv6 addresses as 32 hex digits. */
  address: string;
  port: number;
}

const LISTEN = '0A';

/** The TCP listeners of this network namespace, from /proc/net/tcp and tcp6 (a missing file counts as none). */
export function tcpListeners(): TcpListener[] {
  const found: TcpListener[] = [];
  for (const [file, decode] of [['/proc/net/tcp', ipv4], ['/proc/net/tcp6', ipv6]] as const) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state !== LISTEN || !local) continue;
      const [addr = '', port = ''] = local.split(':');
      found.push({ address: decode(addr), port: Number.parseInt(port, 16) });
    }
  }
  return found;
}

/** True when something listens on port 22 of every address (which would take every fleet host's port). */
export function wildcardPort22Taken(): boolean {
  return tcpListeners().some((l) => l.port === 22 && (l.address === '0.0.0.0' || l.address === '::'));
}

/** /proc/net/tcp holds an IPv4 address as 8 hex digits in host (little-endian) byte order. */
function ipv4(hex: string): string {
  return [3, 2, 1, 0].map((i) => Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');
}

function ipv6(hex: string): string {
  return /^0+$/.test(hex) ? '::' : hex;
}
