/**
 * Benchmark (a script, not a test): generates a repository of 1,000 hosts x 50 resources and
 * prints how long loadRepository() takes (cold: validators compiled; warm: reused) and the peak RSS.
 * Usage: npx tsx test/bench/load.ts [hosts] [resourcesPerHost]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createManifestValidator, loadRepository } from '../../manifests/index.js';
import { generateRepository } from './gen-repo.js';

async function main(): Promise<void> {
  const hosts = Number(process.argv[2] ?? 1000);
  const resourcesPerHost = Number(process.argv[3] ?? 50);
  const dir = await mkdtemp(join(tmpdir(), 'drover-bench-repo-'));
  try {
    await generateRepository(dir, { hosts, resourcesPerHost });
    let start = performance.now();
    const cold = await loadRepository(dir);
    const coldMs = performance.now() - start;
    const validator = createManifestValidator();
    start = performance.now();
    const warm = await loadRepository(dir, { validator });
    const warmMs = performance.now() - start;
    const resources = warm.hosts.reduce((n, h) => n + h.resources.length, 0);
    console.log(`hosts=${warm.hosts.length} resources=${resources} problems=${cold.problems.length}`);
    console.log(`load (cold, compiling validators): ${coldMs.toFixed(0)} ms`);
    console.log(`load (warm, validators reused):    ${warmMs.toFixed(0)} ms`);
    console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
    if (cold.problems.length > 0) console.log(cold.problems.slice(0, 5));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
