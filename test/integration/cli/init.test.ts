/**
 * `drover init` through the built binary: the scaffold validates, its controller config loads, the
 * first commit holds every file, a non-empty directory is refused (nothing written) unless --force,
 * and every YAML file's schema comment resolves to a schema inside the new repository.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadControllerConfig } from '../../../controller/config/index.js';
import { runDrover } from './run-cli.js';
import { ROOT } from '../../support/paths.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A temp working directory with a HOME of its own (no git identity: a fresh machine). */
function workDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'drover-init-'));
  dirs.push(dir);
  return dir;
}

const env = (cwd: string): Record<string, string> => ({ HOME: cwd, GIT_CONFIG_NOSYSTEM: '1' });
const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...env(cwd) } });

function yamlFiles(dir: string, sub = ''): string[] {
  return readdirSync(join(dir, sub), { withFileTypes: true }).flatMap((e) => {
    const rel = sub ? `${sub}/${e.name}` : e.name;
    if (e.isDirectory()) return e.name === '.git' ? [] : yamlFiles(dir, rel);
    return rel.endsWith('.yaml') ? [rel] : [];
  });
}

describe('drover init', () => {
  it('scaffolds a repository that validates, commits it and prints the next three commands', async () => {
    const cwd = workDir();
    const run = await runDrover(['init', 'fleet'], { cwd, env: env(cwd) });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const repo = join(cwd, 'fleet');
    const commit = git(repo, 'rev-parse', '--short', 'HEAD').trim();
    // The count said is the count committed: the repository's own files plus a copy of each of drover's schemas.
    const files = git(repo, 'ls-tree', '-r', '--name-only', 'HEAD').trim().split('\n');
    expect(run.stdout).toContain(`created a drover repository in fleet (${files.length} files, first commit ${commit})`);
    const next = run.stdout.split('\n').filter((l) => l.startsWith('  '));
    expect(next.map((l) => l.trim().split(/\s+#/)[0]!.trim())).toEqual(['cd fleet', 'drover reconcile --dry-run', 'drover controller']);

    // The first commit holds every file, the work tree is clean, the branch is main.
    const committed = git(repo, 'ls-tree', '-r', '--name-only', 'HEAD').trim().split('\n');
    expect(committed).toEqual(expect.arrayContaining([
      '.gitignore', 'README.md', 'drover.yaml', 'drover.config.yaml', 'hosts/web1.yaml', 'groups/web.yaml', 'roles/motd.yaml',
      'templates/motd/default/motd', 'templates/motd/production/motd', 'secrets/recipients.txt', 'schema/host.schema.json', 'schema/config.schema.json',
    ]));
    const schemas = readdirSync(join(ROOT, 'schema')).filter((f) => f.endsWith('.schema.json')).map((f) => `schema/${f}`);
    expect(committed.filter((f) => f.startsWith('schema/')).sort()).toEqual(schemas.sort());
    expect(committed.filter((f) => !f.startsWith('schema/'))).toHaveLength(10);
    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(git(repo, 'branch', '--show-current').trim()).toBe('main');

    const validate = await runDrover(['validate'], { cwd: repo });
    expect({ code: validate.code, stdout: validate.stdout, stderr: validate.stderr })
      .toEqual({ code: 0, stdout: 'valid: 1 hosts, 1 groups, 1 roles, 2 resources\n', stderr: '' });
    // The role's template renders its production variant for web1 (state production), with the group's param.
    const hosts = await runDrover(['hosts', '-o', 'json'], { cwd: repo });
    expect(hosts.stdout).toMatch(/"production"/);

    // The controller config loads as `drover controller` would load it, following this repository.
    const settings = await loadControllerConfig({ cwd: repo, env: {}, isRoot: false });
    expect(settings.source.url).toBe(repo);
    expect(settings.stateDir).toBe(join(repo, '.drover', 'state'));

    // The controller's own files (state, token, age key) are ignored by git.
    mkdirSync(join(repo, '.drover', 'state'), { recursive: true });
    writeFileSync(join(repo, '.drover', 'api-token'), 'not-committed\n');
    writeFileSync(join(repo, '.drover', 'state', 'controller.json'), '{}');
    expect(git(repo, 'status', '--porcelain')).toBe('');
  });

  it('points every YAML file\'s schema comment at a schema inside the new repository', async () => {
    const cwd = workDir();
    expect((await runDrover(['init', 'fleet'], { cwd, env: env(cwd) })).code).toBe(0);
    const repo = join(cwd, 'fleet');
    const files = yamlFiles(repo);
    expect(files.length).toBe(5);
    for (const file of files) {
      const schema = /^# yaml-language-server: \$schema=(\S+)$/m.exec(readFileSync(join(repo, file), 'utf8'))?.[1];
      expect(schema, file).toBeDefined();
      const target = resolve(dirname(join(repo, file)), schema!);
      expect(target.startsWith(join(repo, 'schema') + '/'), `${file}: ${schema}`).toBe(true);
      expect(existsSync(target), `${file}: ${schema}`).toBe(true);
    }
  });

  it('refuses a non-empty directory, writing nothing, and names --force', async () => {
    const cwd = workDir();
    writeFileSync(join(cwd, 'notes.txt'), 'mine\n');
    const run = await runDrover(['init'], { cwd, env: env(cwd) });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`drover: ${cwd} is not empty (notes.txt); nothing was written. Pick a new or empty directory, or pass --force to add the starter files here (files of the same name are overwritten, others kept)\n`);
    expect(readdirSync(cwd)).toEqual(['notes.txt']);
  });

  it('with --force writes into a non-empty directory, keeps other files, and commits only its own', async () => {
    const cwd = workDir();
    writeFileSync(join(cwd, 'notes.txt'), 'mine\n');
    writeFileSync(join(cwd, 'drover.yaml'), 'old: content\n');
    const run = await runDrover(['init', '--force'], { cwd, env: env(cwd) });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(readFileSync(join(cwd, 'notes.txt'), 'utf8')).toBe('mine\n');
    expect(readFileSync(join(cwd, 'drover.yaml'), 'utf8')).toMatch(/^# yaml-language-server: \$schema=schema\/drover.schema.json/);
    expect(git(cwd, 'ls-tree', '-r', '--name-only', 'HEAD')).not.toContain('notes.txt');
    expect(git(cwd, 'status', '--porcelain')).toBe('?? notes.txt\n');
    // In the working directory itself, the first of the next commands is not a cd.
    expect(run.stdout).toMatch(/\n {2}drover validate/);
    expect((await runDrover(['validate'], { cwd })).code).toBe(0);
  });

  it('--schemas-only refreshes schema/ and nothing else', async () => {
    const cwd = workDir();
    expect((await runDrover(['init', 'fleet'], { cwd, env: env(cwd) })).code).toBe(0);
    const repo = join(cwd, 'fleet');
    writeFileSync(join(repo, 'schema', 'host.schema.json'), '{}');
    const run = await runDrover(['init', '--schemas-only'], { cwd: repo, env: env(cwd) });
    expect(run.code).toBe(0);
    expect(git(repo, 'status', '--porcelain')).toBe('');
  });
});
