import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatProblem, loadRepository } from '../../../manifests/index.js';

// Git keeps symbolic links, so a pull request can commit templates/x/default/k -> /root/.ssh/id_ed25519.
// The repositories are made here: the links point into a temp dir standing for the controller's disk.
const base = mkdtempSync(join(tmpdir(), 'drover-links-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
const outside = join(base, 'controller');

function write(root: string, file: string, text: string): void {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), text);
}

function link(root: string, file: string, target: string): void {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  symlinkSync(target, join(root, file));
}

function makeRepo(): string {
  const root = join(base, 'repo');
  write(outside, 'id_ed25519', '-----BEGIN OPENSSH PRIVATE KEY-----\n');
  write(outside, 'hook.sh', 'echo from the controller\n');
  write(outside, 'production/site.conf', 'stolen\n');
  write(root, 'roles/app.yaml', [
    'resources:',
    '  - { kind: file, path: /etc/app/key, template: key }',
    '  - { kind: file, path: /etc/app/blob, source: blob }',
    '  - { kind: file, path: /etc/app/site.conf, template: site.conf }',
    '  - { kind: file, path: /etc/app/main.conf, template: main.conf }',
    '  - { kind: file, path: /etc/app/alias.conf, template: alias.conf }',
    '',
  ].join('\n'));
  write(root, 'hosts/web1.yaml', 'address: 127.0.0.2\nstate: production\nroles: [app]\n');
  link(root, 'templates/app/default/key', join(outside, 'id_ed25519'));
  link(root, 'templates/app/default/blob', join(outside, 'id_ed25519'));
  link(root, 'templates/app/production', join(outside, 'production'));
  write(root, 'templates/app/default/main.conf', 'a\n{% include "app/default/inc.conf" %}\n');
  link(root, 'templates/app/default/inc.conf', '../../../../controller/hook.sh');
  write(root, 'templates/app/default/real.conf', 'inside {{ host.name }}\n');
  link(root, 'templates/app/default/alias.conf', 'real.conf');
  link(root, 'scripts/pre/setup_app/10-steal.sh', join(outside, 'hook.sh'));
  write(root, 'scripts/pre/setup_app/20-own.sh', 'echo own\n');
  return root;
}

describe('templates, sources, includes and hook scripts must resolve inside the repository', () => {
  it('names each file that leads outside, and keeps links that stay inside', async () => {
    const root = makeRepo();
    const loaded = await loadRepository(root);
    const lines = loaded.problems.map(formatProblem).map((l) => l.replaceAll(base, '<tmp>'));
    expect(lines).toMatchInlineSnapshot(`
      [
        "roles/app.yaml:2:49  resources[0].template  template "key": templates/app/default/key resolves to <tmp>/controller/id_ed25519, outside the repository (a symbolic link); commit the file itself: templates, sources and hook scripts must stay inside the repository (host web1)",
        "roles/app.yaml:3:48  resources[1].source  source "blob": templates/app/default/blob resolves to <tmp>/controller/id_ed25519, outside the repository (a symbolic link); commit the file itself: templates, sources and hook scripts must stay inside the repository (host web1)",
        "roles/app.yaml:4:55  resources[2].template  template "site.conf": templates/app/production/site.conf resolves to <tmp>/controller/production/site.conf, outside the repository (a symbolic link); commit the file itself: templates, sources and hook scripts must stay inside the repository (host web1)",
        "scripts/pre/setup_app/10-steal.sh:1:1  .  scripts/pre/setup_app/10-steal.sh resolves to <tmp>/controller/hook.sh, outside the repository (a symbolic link); commit the file itself: templates, sources and hook scripts must stay inside the repository",
        "templates/app/default/main.conf:1:1  .  templates/app/default/inc.conf resolves to <tmp>/controller/hook.sh, outside the repository (a symbolic link); commit the file itself: templates, sources and hook scripts must stay inside the repository (used by file:/etc/app/main.conf declared at roles/app.yaml:5:5) (host web1)",
      ]
    `);
    const host = loaded.hosts[0]!;
    expect(host.resources.find((r) => r.id === 'file:/etc/app/alias.conf')?.content?.text).toBe('inside web1\n');
    expect(host.hooks.map((h) => h.name)).toEqual(['20-own.sh']);
    expect(JSON.stringify(loaded.hosts)).not.toContain('PRIVATE KEY');
  });
});
