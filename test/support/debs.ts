import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Builds a minimal Debian package (no dependencies, one doc file) with dpkg-deb and returns its bytes. */
export function buildDeb(name: string, version: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'drover-test-deb-'));
  try {
    mkdirSync(join(dir, 'pkg/DEBIAN'), { recursive: true });
    mkdirSync(join(dir, `pkg/usr/share/doc/${name}`), { recursive: true });
    writeFileSync(join(dir, 'pkg/DEBIAN/control'), `Package: ${name}\nVersion: ${version}\nArchitecture: all\nMaintainer: drover tests <t@example.com>\nDescription: drover test package\n`);
    writeFileSync(join(dir, `pkg/usr/share/doc/${name}/README`), 'test\n');
    execFileSync('dpkg-deb', ['--build', '--root-owner-group', join(dir, 'pkg'), join(dir, 'out.deb')], { stdio: 'ignore' });
    return readFileSync(join(dir, 'out.deb'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
