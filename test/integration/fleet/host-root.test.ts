/**
 * A systemd fleet host's sshd start-up lives in its own upper layer: whatever the machine's
 * /etc/systemd says about ssh (fresh: ssh.service disabled; enabled by hand; masked; with drop-ins
 * and ssh.socket enabled), the host sees the same ssh units. Checked through a real overlay mount
 * over a lower dir made for each machine state.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FLEET_SSH_UNIT, writeOwnSshdStartup } from '../../fleet/systemd-sshd.js';

const UNITS = 'etc/systemd/system';
const PATHS = ['ssh.service', 'sshd.service', 'multi-user.target.wants/ssh.service', 'ssh.service.d', 'ssh.socket', 'sockets.target.wants/ssh.socket'];

/** Machine states, as links and files under the lower layer's /etc/systemd/system. */
const MACHINES: Record<string, Record<string, string>> = {
  'fresh (ssh.service disabled)': {},
  'ssh.service and ssh.socket enabled, with a drop-in': {
    'multi-user.target.wants/ssh.service': '-> /lib/systemd/system/ssh.service',
    'sshd.service': '-> /lib/systemd/system/ssh.service',
    'sockets.target.wants/ssh.socket': '-> /lib/systemd/system/ssh.socket',
    'ssh.service.d/override.conf': '[Service]\nExecStart=\nExecStart=/usr/sbin/sshd -D -p 22\n',
  },
  'ssh.service and ssh.socket masked': { 'ssh.service': '-> /dev/null', 'ssh.socket': '-> /dev/null' },
};

function makeLower(dir: string, entries: Record<string, string>): void {
  mkdirSync(join(dir, UNITS), { recursive: true });
  for (const [path, value] of Object.entries(entries)) {
    const target = join(dir, UNITS, path);
    mkdirSync(dirname(target), { recursive: true });
    if (value.startsWith('-> ')) symlinkSync(value.slice(3), target);
    else writeFileSync(target, value);
  }
}

/** What a host over `lower` + `upper` sees at PATHS: `-> target`, `file <first line>`, `dir` or `absent`. */
function mergedView(dir: string): string[] {
  const script = `mount -t overlay overlay -o lowerdir=${dir}/lower,upperdir=${dir}/upper,workdir=${dir}/work ${dir}/merged
cd ${dir}/merged/${UNITS}
for p in ${PATHS.join(' ')}; do
  if [ -L "$p" ]; then echo "$p -> $(readlink "$p")"
  elif [ -d "$p" ]; then echo "$p dir"
  elif [ -f "$p" ]; then echo "$p file $(head -n 1 "$p")"
  else echo "$p absent"; fi
done
cat ssh.service > ${dir}/unit-seen`;
  return execFileSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-ec', script], { encoding: 'utf8' }).trim().split('\n');
}

describe("a systemd host's own sshd start-up (writeOwnSshdStartup)", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it.each(Object.keys(MACHINES))('shows the host its own enabled ssh.service and no ssh.socket, on a machine with %s', (machine) => {
    const dir = mkdtempSync('/dev/shm/drover-host-root-');
    dirs.push(dir);
    for (const sub of ['lower', 'upper', 'work', 'merged']) mkdirSync(join(dir, sub));
    makeLower(join(dir, 'lower'), MACHINES[machine]!);
    writeOwnSshdStartup({ upper: join(dir, 'upper'), lower: join(dir, 'lower') });
    expect(mergedView(dir)).toEqual([
      'ssh.service file # Written by drover\'s test fleet (test/fleet/systemd-sshd.ts): this host\'s own sshd.',
      'sshd.service -> /etc/systemd/system/ssh.service',
      'multi-user.target.wants/ssh.service -> /etc/systemd/system/ssh.service',
      'ssh.service.d absent',
      'ssh.socket absent',
      'sockets.target.wants/ssh.socket absent',
    ]);
    expect(readFileSync(join(dir, 'unit-seen'), 'utf8')).toBe(FLEET_SSH_UNIT);
  });
});
