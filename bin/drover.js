#!/usr/bin/env node
// The published entry point: runs the bundled CLI (dist/cli/, built by `npm run build`, which `npm ci` runs via `prepare`).
import { main, mapStackTraces } from '../dist/cli/main.js';

mapStackTraces();
process.exitCode = await main(process.argv.slice(2));
