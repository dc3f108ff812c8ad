/**
 * Part of `npm run build` (after tsc and the precompiled validators): bundles the CLI into dist/cli/, which
 * bin/drover.js runs. Node 20 loads a few bundled files faster than the ~150 small modules behind them
 * (`drover validate` takes about a third less time than from dist/controller/), and code splitting keeps
 * the per-command loading of controller/cli/commands/index.ts: main.js holds main() and the command table;
 * each command module, with what only it needs, is a chunk imported when that command runs. Source maps
 * (without the sources) let bin/drover.js show TypeScript positions in stack traces (cli/stack-traces.ts).
 */
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
const OUT = join(ROOT, 'dist/cli');

/**
 * Dependencies bundled into dist/cli/: plain JavaScript (no native code, no files of their own read at run
 * time) that the short commands load. Every other dependency stays a package in node_modules, imported as
 * is: the daemon's (fastify, pino, prom-client), ssh2 (optional native code), simple-git, cosmiconfig.
 */
const BUNDLED = new Set(['commander', 'yaml', 'nunjucks', 'fastest-levenshtein', 'croner', 'diff', 'p-limit', 'age-encryption', 'ajv', 'ajv-formats']);

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
const external = Object.keys(pkg.dependencies).filter((name) => !BUNDLED.has(name));

rmSync(OUT, { recursive: true, force: true });
await build({
  absWorkingDir: ROOT,
  entryPoints: { main: 'controller/cli/main.ts' },
  outdir: OUT,
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  tsconfig: 'tsconfig.build.json',
  external,
  // Bundled CommonJS code calls require() (node:fs, ...); ES modules have none of their own.
  banner: { js: "import { createRequire as __droverCreateRequire } from 'node:module'; const require = __droverCreateRequire(import.meta.url);" },
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'warning',
});
