/** `drover run` refuses options that do not fit the step before touching anything (exit 1, one clear line). */
import { describe, expect, it } from 'vitest';
import { main } from '../../../controller/cli/main.js';
import type { CliIo } from '../../../controller/cli/io.js';

function capture(): { io: CliIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const io: CliIo = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: {}, cwd: '/nonexistent' };
  return { io, out: () => out, err: () => err };
}

describe('drover run usage', () => {
  it('--revision only with restore_ steps', async () => {
    const c = capture();
    expect(await main(['run', 'web1', 'regen_motd', '--revision', '2'], c.io)).toBe(1);
    expect(c.err()).toBe('drover: --revision is for restore_ steps only (e.g. "drover run web1 restore_<file> --revision 2"); see "drover steps web1"\n');
  });

  it('--revision must be a positive integer', async () => {
    const c = capture();
    expect(await main(['run', 'web1', 'restore_motd', '--revision', '0'], c.io)).toBe(1);
    expect(c.err()).toBe('drover: --revision must be a positive integer, got "0"\n');
  });
});
