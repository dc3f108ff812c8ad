import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { killCommand, remoteCommand, splitPidMarker } from '../../../controller/transport/ssh-channel.js';

const cases = JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/transport/pid-marker.json'), 'utf8')) as {
  name: string;
  stderr: string;
  pid: number | null;
  rest?: string;
}[];

describe('splitPidMarker', () => {
  for (const c of cases) {
    it(c.name, () => {
      const found = splitPidMarker(Buffer.from(c.stderr));
      if (c.pid === null) expect(found).toBeUndefined();
      else expect({ pid: found?.pid, rest: found?.rest.toString() }).toEqual({ pid: c.pid, rest: c.rest });
    });
  }
});

describe('remote command lines', () => {
  it('reports the pid, then execs sh -c (or sudo -n sh -c)', () => {
    expect(remoteCommand("echo 'a'", {})).toBe(`printf 'drover-pid:%s\\n' "$$" >&2; exec sh -c 'echo '\\''a'\\'''`);
    expect(remoteCommand('true', { sudo: true })).toBe(`printf 'drover-pid:%s\\n' "$$" >&2; exec sudo -n sh -c true`);
  });

  it('kills the process group, falling back to the pid', () => {
    expect(killCommand(42, {})).toBe(`sh -c 'kill -KILL -42 2>/dev/null || kill -KILL 42'`);
    expect(killCommand(42, { sudo: true })).toMatch(/^sudo -n sh -c /);
  });
});
