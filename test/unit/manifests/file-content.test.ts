import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatProblem, loadRepository } from '../../../manifests/index.js';

const base = mkdtempSync(join(tmpdir(), 'drover-content-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

function repo(name: string, files: Record<string, string>): string {
  const root = join(base, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  return root;
}

const host = (resources: string): string => `address: 127.0.0.2\nresources:\n  - { kind: secret, name: db }\n${resources}`;

describe('file content (docs/manifest-reference.md, file.content and file.mode)', () => {
  it('is rendered like a template file; {% raw %} and {{ "{{" }} write braces literally', async () => {
    const root = repo('literal', {
      'hosts/web1.yaml': host([
        '  - kind: file',
        '    path: /etc/app.conf',
        `    content: "host={{ host.name }}\\nraw={% raw %}{{ not.rendered }}{% endraw %}\\nbraces={{ '{{' }} x }}\\n"`,
        '',
      ].join('\n')),
    });
    const loaded = await loadRepository(root);
    expect(loaded.problems.map(formatProblem)).toEqual([]);
    expect(loaded.hosts[0]!.resources.find((r) => r.kind === 'file')?.content?.text).toBe('host=web1\nraw={{ not.rendered }}\nbraces={{ x }}\n');
  });

  it('may use secret(); a file holding a secret without a mode is 0600, a declared mode stays', async () => {
    const root = repo('secret', {
      'hosts/web1.yaml': host([
        `  - { kind: file, path: /etc/a.conf, content: "pw={{ secret('db') }}\\n" }`,
        `  - { kind: file, path: /etc/b.conf, content: "pw={{ secret('db') }}\\n", mode: "0640" }`,
        '  - { kind: file, path: /etc/c.conf, content: "plain\\n" }',
        '',
      ].join('\n')),
    });
    const loaded = await loadRepository(root);
    expect(loaded.problems.map(formatProblem)).toEqual([]);
    const files = loaded.hosts[0]!.resources.filter((r) => r.kind === 'file');
    expect(files.map((f) => [f.key, f.spec.mode, f.content?.text, f.content?.secrets])).toEqual([
      ['/etc/a.conf', '0600', 'pw={{drover-secret:db}}\n', ['db']],
      ['/etc/b.conf', '0640', 'pw={{drover-secret:db}}\n', ['db']],
      ['/etc/c.conf', undefined, 'plain\n', []],
    ]);
  });

  it('refuses the reserved placeholder text written literally', async () => {
    const root = repo('reserved', {
      'hosts/web1.yaml': host('  - { kind: file, path: /etc/a.conf, content: "{% raw %}{{drover-secret:db}}{% endraw %}" }\n'),
    });
    const loaded = await loadRepository(root);
    expect(loaded.problems.map(formatProblem)).toEqual([
      'hosts/web1.yaml:4:47  resources[1].content  the text "{{drover-secret:" is reserved for secret() placeholders; write {{ secret(\'NAME\') }}, or {{ "{{" }} to write braces literally',
    ]);
  });
});
