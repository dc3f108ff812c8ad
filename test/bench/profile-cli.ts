/**
 * `npx tsx test/bench/profile-cli.ts [hosts] [OUT_DIR]`: starts a fleet, converges the bench repository once,
 * then runs `drover reconcile --dry-run` under `node --cpu-prof` and prints the functions with the most
 * self time (by the profile's samples: a count, so a loaded machine shifts it less than wall time).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleet } from '../fleet/index.js';
import { writeBenchRepository } from './fleet-repo.js';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }

const count = Number(process.argv[2] ?? 20);
const out = process.argv[3] ?? mkdtempSync(join(tmpdir(), 'drover-prof-'));
const fleet = await startFleet({ count, name: 'profile-cli' });
try {
  const repo = mkdtempSync(join(tmpdir(), 'drover-prof-repo-'));
  await writeBenchRepository(repo, fleet);
  const bin = join(import.meta.dirname, '..', '..', 'bin', 'drover.js');
  const args = ['--known-hosts', fleet.knownHostsFile, '-i', fleet.clientKeyFile];
  execFileSync(process.execPath, [bin, 'reconcile', '--yes', repo, ...args], { stdio: 'ignore' });
  execFileSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${out}`, bin, 'reconcile', '--dry-run', repo, ...args], { stdio: 'ignore' });
  const file = readdirSync(out).find((f) => f.endsWith('.cpuprofile'))!;
  const profile = JSON.parse(readFileSync(join(out, file), 'utf8')) as { nodes: ProfileNode[]; samples: number[] };
  const self = new Map<string, number>();
  for (const node of profile.nodes) {
    const where = `${node.callFrame.functionName || '(anon)'} ${node.callFrame.url.replace(/^.*node_modules\//, 'nm:').replace(/^file:\/\/.*\/dist\//, 'dist:')}:${node.callFrame.lineNumber}`;
    self.set(where, (self.get(where) ?? 0) + (node.hitCount ?? 0));
  }
  const total = profile.samples.length;
  console.log(`profile: ${join(out, file)} (${total} samples)`);
  for (const [where, hits] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`${((100 * hits) / total).toFixed(1).padStart(5)}%  ${where}`);
} finally {
  await fleet.stop();
}
