/**
 * `npm run bench -- start`: how fast the CLI starts, without a fleet. Per round, `node -e 0` (the
 * floor of any Node CLI on this machine), then each build's `drover --version` and `drover validate
 * examples/quickstart` (the current checkout's example for both builds), the builds taking turns.
 * Every run is checked (exit code and output) before it counts. Goals: --version at most 1.5x and
 * validate at most 2.5x `node -e 0` measured beside them.
 */
import { join } from 'node:path';
import { ROOT, type Build } from './builds.js';
import { spawnCollect } from './measure.js';
import { median, ms } from './stats.js';
import { turnOrder, type Figure } from './verdict.js';

/** The floor figure's name (the goals are ratios to it). */
export const NODE_FLOOR = 'node -e 0';

interface Command {
  args: string[];
  /** Throws unless the output is what this command prints when it works. */
  check(out: { code: number; stdout: string; stderr: string }): void;
}

const example = join(ROOT, 'examples', 'quickstart');

function expect(what: string, ok: (stdout: string) => boolean): Command['check'] {
  return (out) => {
    if (out.code !== 0 || !ok(out.stdout)) throw new Error(`${what}: exit ${out.code}\n${out.stdout}\n${out.stderr}`.trim());
  };
}

function commands(build: Build): Record<'version' | 'validate', Command> {
  return {
    version: { args: [build.bin, '--version'], check: expect(`${build.name} drover --version`, (s) => /^\d+\.\d+\.\d+/.test(s.trim())) },
    validate: { args: [build.bin, 'validate', example], check: expect(`${build.name} drover validate ${example}`, (s) => s.startsWith('valid:')) },
  };
}

const floor: Command = { args: ['-e', '0'], check: expect(NODE_FLOOR, () => true) };

/** Runs `node ARGS` once in the repository root; its wall time in ms, after checking its output. */
async function timed(command: Command): Promise<number> {
  const start = performance.now();
  const out = await spawnCollect({ command: process.execPath, args: command.args, cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
  const wall = performance.now() - start;
  command.check(out);
  return wall;
}

type Samples = Map<Build, { version: number[]; validate: number[] }>;

async function round(builds: readonly Build[], samples: Samples, floorMs: number[], run: number): Promise<void> {
  floorMs.push(await timed(floor));
  for (const key of ['version', 'validate'] as const) {
    for (const build of turnOrder(builds, run)) samples.get(build)![key].push(await timed(commands(build)[key]));
  }
}

/**
 * Measures `runs` rounds (after one untimed warm-up of every command) and returns the figures:
 * the floor (current column only: Node is the same for both builds) and each command of each build.
 */
export async function benchStart(options: { builds: readonly Build[]; runs: number; log: (line: string) => void }): Promise<Figure[]> {
  const { builds, runs, log } = options;
  await timed(floor);
  for (const b of builds) for (const c of Object.values(commands(b))) await timed(c);
  const samples: Samples = new Map(builds.map((b) => [b, { version: [], validate: [] }]));
  const floorMs: number[] = [];
  for (let run = 0; run < runs; run++) await round(builds, samples, floorMs, run);
  for (const b of builds) {
    const s = samples.get(b)!;
    log(`start, ${b.name}: --version ${ms(median(s.version))} (${(median(s.version) / median(floorMs)).toFixed(2)}x node), validate ${ms(median(s.validate))} (${(median(s.validate) / median(floorMs)).toFixed(2)}x node), node -e 0 ${ms(median(floorMs))}`);
  }
  const [current, baseline] = builds.map((b) => samples.get(b)!);
  const figure = (key: 'version' | 'validate', name: string, max: number): Figure => ({
    name, unit: 'ms', current: current![key], ...(baseline ? { baseline: baseline[key] } : {}),
    goal: { max, per: NODE_FLOOR, text: `<= ${max}x ${NODE_FLOOR}` },
  });
  return [
    { name: NODE_FLOOR, unit: 'ms', current: floorMs, note: `Node.js ${process.version} alone, the same for both builds (the reference of the start goals)` },
    figure('version', 'drover --version', 1.5),
    figure('validate', 'drover validate examples/quickstart', 2.5),
  ];
}
