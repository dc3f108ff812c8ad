/**
 * How the built binary reports hosts it cannot work on (issue 11 items 14 and 28), without any SSH server:
 * a missing known_hosts file is named as missing, with the ssh-keyscan line that fills it, and hosts that
 * fail make the command exit 3 however many of them fail; usage errors stay exit 1.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDrover } from './run-cli.js';

let dir: string;
let repo: string;
let key: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drover-cli-hosts-'));
  repo = join(dir, 'repo');
  await mkdir(join(repo, 'hosts'), { recursive: true });
  for (const [name, port] of [['web1', 2201], ['web2', 2202]] as const) {
    await writeFile(join(repo, `hosts/${name}.yaml`), `address: 127.0.0.1\nport: ${port}\nresources:\n  - { kind: file, path: /tmp/x, content: "x" }\n`);
  }
  key = join(dir, 'id_ed25519');
  await promisify(execFile)('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('hosts that cannot be worked on', () => {
  it('say that the --known-hosts file does not exist and how to fill it; all hosts failing exits 3', async () => {
    const missing = join(dir, 'known_hosts');
    const run = await runDrover(['plan', repo, '--known-hosts', missing, '-i', key]);
    expect(run.code).toBe(3);
    expect(run.stdout).toContain(`! web1 (127.0.0.1:2201): refused: web1: known_hosts file ${missing} does not exist`);
    expect(run.stdout).toContain(`ssh-keyscan -p 2202 127.0.0.1 >> ${missing}`);
    expect(run.stdout).toMatch(/web2\s+refused\s.*E_HOST_KEY_UNKNOWN/);
  });

  it('exit 1 only for errors that stop the whole command', async () => {
    const run = await runDrover(['plan', repo, '--host', 'web9', '-i', key]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('unknown host "web9"');
  });
});
