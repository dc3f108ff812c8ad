/**
 * `drover controller` (the built CLI) refuses to start on an invalid config, printing every problem as
 * `file:line:col  path  message`, and starts from `--repo` alone with the embedded defaults.
 */
import { describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDrover } from './run-cli.js';

describe('drover controller: config', () => {
  it('does not start with an invalid config and names file, line, column and field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'drover-cfg-'));
    try {
      await writeFile(join(dir, 'drover.config.yaml'), 'source:\n  url: /srv/fleet\n  brnach: main\nconcurrency: 0\n');
      const run = await runDrover(['controller'], { cwd: dir });
      expect(run.code).toBe(1);
      expect(run.stderr).toBe([
        'drover.config.yaml:3:3  source.brnach  unknown key "brnach"; did you mean "branch"?',
        'drover.config.yaml:4:14  concurrency  must be >= 1, got a number (0)',
        'drover: the controller config is invalid (2 problems); the controller did not start',
        '',
      ].join('\n'));
      expect(run.stdout).toBe('');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('without a config or --repo, says what to pass', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'drover-cfg-'));
    try {
      const run = await runDrover(['controller'], { cwd: dir });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('no controller config found');
      expect(run.stderr).toContain('--repo URL_OR_PATH');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
