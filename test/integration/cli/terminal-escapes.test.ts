/**
 * A manifest under review may carry terminal escape sequences (in keys, values, file names): the
 * CLI shows them escaped, never raw. Needs `npm run build` (the CLI runs from dist/).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDrover } from './run-cli.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('terminal control characters from manifests', () => {
  it('are escaped in validate and plan errors', async () => {
    const repo = await mkdtemp(join(tmpdir(), 'drover-escapes-'));
    dirs.push(repo);
    await mkdir(join(repo, 'hosts'));
    await writeFile(join(repo, 'hosts/web1.yaml'), 'address: 127.0.0.2\n"\\e]0;owned\\a\\e[2Jclean": 1\nresources:\n  - { kind: package, name: "x\\e[8m" }\n');
    const validate = await runDrover(['validate', repo]);
    const plan = await runDrover(['plan', repo]);
    for (const run of [validate, plan]) {
      expect(run.code).toBe(1);
      // eslint-disable-next-line no-control-regex
      expect(`${run.stdout}${run.stderr}`).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    }
    expect(validate.stderr).toContain('unknown key "\\e]0;owned\\a\\e[2Jclean"');
  });
});
