/**
 * What the built drover loads for a command: only that command's code. `drover --version` and `drover validate`
 * must not load the daemon and its packages (fastify, pino, prom-client), SSH (ssh2) or age; `drover controller`
 * and `drover secrets set` do load them (so the check can fail). Modules are logged by a Node resolve hook;
 * a file of the bundle (dist/cli/) stands for the sources its source map lists.
 * Needs `npm run build` (the CLI runs from dist/).
 */
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, runDrover } from './run-cli.js';

const HOOKS = `import { appendFileSync } from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(log, result.url + '\\n');
  return result;
}
`;
const REGISTER = `import { register } from 'node:module';
register('./hooks.mjs', import.meta.url, { data: { log: process.env.DROVER_TEST_MODULE_LOG } });
`;

/** What only some commands may load: the daemon, its HTTP, logging and metrics packages, SSH, age. */
const HEAVY = ['controller/daemon/', 'node_modules/fastify/', 'node_modules/pino/', 'node_modules/prom-client/', 'node_modules/ssh2/', 'node_modules/age-encryption/'];

let dir: string;
let runs = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drover-startup-'));
  await writeFile(join(dir, 'hooks.mjs'), HOOKS);
  await writeFile(join(dir, 'register.mjs'), REGISTER);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Source files of a loaded file: the sources of a bundle file's map, else the file itself; paths relative to ROOT. */
function sourcesOf(file: string): string[] {
  if (!file.startsWith(join(ROOT, 'dist/cli/')) || !existsSync(`${file}.map`)) return [relative(ROOT, file)];
  const map = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] };
  return map.sources.map((s) => relative(ROOT, resolve(dirname(file), s)));
}

/** Runs the built drover with `args` and resolves with its exit code and every source file it loaded. */
async function loaded(args: string[], stdin?: string): Promise<{ code: number | null; stderr: string; sources: string[] }> {
  const log = join(dir, `modules-${++runs}.log`);
  const run = await runDrover(args, { env: { NODE_OPTIONS: `--import=${join(dir, 'register.mjs')}`, DROVER_TEST_MODULE_LOG: log }, ...(stdin === undefined ? {} : { stdin }) });
  const urls = new Set((await readFile(log, 'utf8')).split('\n').filter((u) => u.startsWith('file:')));
  return { code: run.code, stderr: run.stderr, sources: [...new Set([...urls].flatMap((u) => sourcesOf(fileURLToPath(u))))].sort() };
}

const heavyIn = (sources: string[]): string[] => sources.filter((s) => HEAVY.some((h) => s.includes(h)));

describe('modules the built drover loads', () => {
  it('--version: main and the command table, no command', async () => {
    const { code, sources } = await loaded(['--version']);
    expect(code).toBe(0);
    expect(sources).toContain('controller/cli/main.ts');
    expect(sources.filter((s) => s.startsWith('controller/cli/commands/'))).toEqual(['controller/cli/commands/index.ts']);
    expect(heavyIn(sources)).toEqual([]);
  });

  it('validate: the manifests module, precompiled validators (no schema compiler), nothing heavy', async () => {
    const { code, stderr, sources } = await loaded(['validate', 'examples/quickstart']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(sources).toEqual(expect.arrayContaining(['controller/cli/commands/validate.ts', 'manifests/load.ts']));
    expect(sources.filter((s) => s.startsWith('controller/cli/commands/'))).toEqual(['controller/cli/commands/index.ts', 'controller/cli/commands/validate.ts']);
    expect(sources).not.toContain('schema/standalone.ts');
    expect(heavyIn(sources)).toEqual([]);
  });

  it('--help lists every command without loading one', async () => {
    const { code, sources } = await loaded(['--help']);
    expect(code).toBe(0);
    expect(sources.filter((s) => s.startsWith('controller/cli/commands/'))).toEqual(['controller/cli/commands/index.ts']);
  });

  it('controller --help: the daemon, fastify, pino, prom-client and ssh2', async () => {
    const { code, sources } = await loaded(['controller', '--help']);
    expect(code).toBe(0);
    for (const h of HEAVY.filter((m) => !m.includes('age-encryption'))) expect(sources.some((s) => s.includes(h)), h).toBe(true);
  });

  it('secrets set: age-encryption, when it encrypts', async () => {
    const repo = join(dir, 'repo');
    await mkdir(join(repo, 'secrets'), { recursive: true });
    await writeFile(join(repo, 'secrets/recipients.txt'), `${await identityToRecipient(await generateIdentity())}\n`);
    const { code, stderr, sources } = await loaded(['secrets', 'set', 'db', repo], 'a-value\n');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(heavyIn(sources).filter((s) => s.includes('age-encryption')).length).toBeGreaterThan(0);
  });
});
