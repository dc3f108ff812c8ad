/**
 * Child process for reap.test.ts: starts a fleet of argv[2] hosts, prints one JSON line
 * ({ dir, pids }) and then waits to be killed, never calling stop().
 */
import { startFleet } from '../../fleet/index.js';

const fleet = await startFleet({ count: Number(process.argv[2] ?? 2), name: 'orphan' });
process.stdout.write(`${JSON.stringify({ dir: fleet.dir, pids: fleet.hosts.map((h) => h.pid) })}\n`);
setInterval(() => undefined, 60_000);
