/**
 * Generates a synthetic manifest repository for benchmarks: `hosts` hosts in groups of 100
 * (all nested under group `all`), three roles with templated resources and template files,
 * and per-host resources, so that every host ends up with `resourcesPerHost` resources.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Options of generateRepository(). */
export interface GenerateOptions {
  hosts: number;
  resourcesPerHost: number;
}

const ROLES = ['base', 'web', 'app'];

/** Writes the repository into `dir` (created if needed). The result loads without problems. */
export async function generateRepository(dir: string, options: GenerateOptions): Promise<void> {
  const perRole = Math.floor((options.resourcesPerHost * 0.8) / ROLES.length);
  const own = options.resourcesPerHost - perRole * ROLES.length;
  for (const sub of ['hosts', 'groups', 'roles', ...ROLES.map((r) => `templates/${r}/default`)]) await mkdir(join(dir, sub), { recursive: true });
  await writeFile(join(dir, 'drover.yaml'), droverFile());
  for (const role of ROLES) {
    await writeFile(join(dir, 'roles', `${role}.yaml`), roleFile(role, perRole));
    await writeFile(join(dir, 'templates', role, 'default', 'main.conf'), templateFile(role));
  }
  const groupCount = Math.ceil(options.hosts / 100);
  const groups = Array.from({ length: groupCount }, (_, g) => `rack${g}`);
  await writeFile(join(dir, 'groups', 'all.yaml'), `include: [${groups.join(', ')}]\nroles: [base]\ndata: { domain: example.com }\n`);
  for (const [g, name] of groups.entries()) {
    const members = Array.from({ length: Math.min(100, options.hosts - g * 100) }, (_, i) => hostName(g * 100 + i));
    await writeFile(join(dir, 'groups', `${name}.yaml`), `include: [${members.join(', ')}]\nroles: [web]\ndata: { rack: ${g} }\nparams:\n  web: { port: ${8000 + g} }\n`);
  }
  const names = Array.from({ length: options.hosts }, (_, i) => hostName(i));
  for (let i = 0; i < names.length; i += 100) {
    await Promise.all(names.slice(i, i + 100).map((name, j) => writeFile(join(dir, 'hosts', `${name}.yaml`), hostFile(i + j, own))));
  }
}

function hostName(i: number): string {
  return `host${String(i).padStart(4, '0')}`;
}

function droverFile(): string {
  return 'defaults:\n  user: root\n  data: { admin_email: ops@example.com }\nresolver:\n  db.internal: 10.0.0.5\nsettings:\n  concurrency: 50\n';
}

function roleFile(role: string, count: number): string {
  const lines = [`description: ${role} role`, 'params:', '  port: { default: 80 }', '  user: { default: svc }', 'resources:'];
  lines.push('  - kind: file', `    path: /etc/${role}/main.conf`, '    template: main.conf', '    mode: "0644"');
  for (let i = 1; i < count; i++) {
    switch (i % 4) {
      case 0: lines.push('  - kind: package', `    name: ${role}-pkg-${i}`); break;
      case 1: lines.push('  - kind: directory', `    path: "/srv/${role}/{{ host.name }}/d${i}"`, '    owner: "{{ params.user }}"', '    mode: "0755"'); break;
      case 2: lines.push('  - kind: file', `    path: /etc/${role}/conf.d/${i}.conf`, `    content: "port={{ port }} rack={{ rack }} host={{ host.name }} n=${i}\\n"`); break;
      default: lines.push('  - kind: line', `    path: /etc/${role}/lines`, `    line: "opt${i}={{ params.port }}"`); break;
    }
  }
  return `${lines.join('\n')}\n`;
}

function templateFile(role: string): string {
  return `# ${role} for {{ host.name }} ({{ host.address }})\nlisten {{ params.port }}\nadmin {{ admin_email }}\ndb {{ resolve("db.internal") }}\n{% for i in range(3) %}worker {{ i }}\n{% endfor %}`;
}

function hostFile(i: number, own: number): string {
  const lines = [`address: 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 'roles: [app]', `data: { index: ${i} }`, 'resources:'];
  for (let r = 0; r < own; r++) lines.push('  - kind: package', `    name: tool-${r}`);
  return `${lines.join('\n')}\n`;
}
