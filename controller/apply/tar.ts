/**
 * A minimal ustar writer: the apply run ships its script and every staged file content to the host
 * as one tar stream on stdin (`tar -xf -`, GNU tar and busybox both read ustar). Pure.
 */

/** One regular file of the archive: a short ASCII name (no directories) and its bytes. */
export interface TarEntry {
  name: string;
  content: Buffer;
}

const BLOCK = 512;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(entry: TarEntry): Buffer {
  if (!/^[A-Za-z0-9._-]{1,99}$/.test(entry.name)) throw new Error(`tar entry name not allowed: ${entry.name}`);
  const h = Buffer.alloc(BLOCK, 0);
  h.write(entry.name, 0, 'ascii');
  h.write(octal(0o600, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(entry.content.length, 12), 124, 'ascii');
  h.write(octal(0, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write('0', 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write('root', 265, 'ascii');
  h.write('root', 297, 'ascii');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

/**
 * Builds a ustar archive of `entries` (mode 0600, owner 0:0, mtime 0), ending with two zero blocks.
 * Throws on a name that is not a plain short ASCII file name or content of 8 GiB or more.
 */
export function buildTar(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    if (entry.content.length >= 8 ** 11) throw new Error(`tar entry too large: ${entry.name}`);
    parts.push(header(entry), entry.content);
    const pad = (BLOCK - (entry.content.length % BLOCK)) % BLOCK;
    if (pad > 0) parts.push(Buffer.alloc(pad, 0));
  }
  parts.push(Buffer.alloc(BLOCK * 2, 0));
  return Buffer.concat(parts);
}
