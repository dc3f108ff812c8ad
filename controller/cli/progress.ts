import type { ProgressEvent } from '../reconcile/types.js';
import type { CliIo } from './io.js';

/**
 * Shows host progress on stderr: on a TTY one status line rewritten in place (hosts done/total and
 * what is running), otherwise one plain line per host when it finishes or fails.
 */
export function createProgress(io: CliIo, total: number): { onProgress: (e: ProgressEvent) => void; finish: () => void } {
  const tty = Boolean(io.stderr.isTTY);
  const active = new Map<string, string>();
  let done = 0;
  const draw = (): void => {
    const running = [...active.entries()].slice(0, 4).map(([h, p]) => `${h}:${p}`).join(' ');
    io.stderr.write(`\r\x1b[K[${done}/${total}] ${running}`);
  };
  return {
    onProgress(e) {
      if (e.phase === 'done' || e.phase === 'failed') {
        done++;
        active.delete(e.host);
        if (!tty) io.stderr.write(`${e.host}: ${e.phase === 'done' ? e.detail ?? 'done' : `failed: ${e.detail ?? ''}`}\n`);
      } else {
        active.set(e.host, e.phase);
      }
      if (tty) draw();
    },
    finish() {
      if (tty) io.stderr.write('\r\x1b[K');
    },
  };
}
