/** The CLI client's pure parts: exit codes of a finished sync run, URLs of listen addresses. */
import { describe, expect, it } from 'vitest';
import { listenUrl } from '../../../controller/cli/client/endpoint.js';
import { runExitCode } from '../../../controller/cli/client/follow-run.js';
import type { SyncRun } from '../../../controller/daemon/work/runs.js';

const run = (dryRun: boolean, results: [string, string?][]): SyncRun => ({
  id: 'sync-1', dryRun, createdAt: 0, state: 'done',
  hosts: Object.fromEntries(results.map(([result, reason], i) => [`h${i}`, { state: 'done', result: result as never, ...(reason ? { reason } : {}) }])),
});

describe('runExitCode', () => {
  it.each([
    ['all in sync', run(false, [['in-sync'], ['applied']]), 0],
    ['dry run without drift', run(true, [['in-sync']]), 0],
    ['dry run with drift', run(true, [['in-sync'], ['drift']]), 2],
    ['drift left on an apply run (held by a window or a wave)', run(false, [['drift', 'OutsideWindow: ...']]), 2],
    ['some failed', run(false, [['applied'], ['failed']]), 3],
    ['some unreachable on a dry run with drift', run(true, [['drift'], ['unreachable']]), 3],
    ['every host failed', run(false, [['failed'], ['unreachable']]), 3],
    ['interrupted', run(false, [['interrupted']]), 3],
    ['suspended hosts skipped', run(false, [['applied'], ['skipped', 'suspended']]), 0],
    ['skipped while the breaker is open', run(false, [['applied'], ['skipped', 'unreachable: waiting for the circuit breaker cool-down']]), 3],
    ['no hosts', run(false, []), 0],
  ])('%s -> %d', (_name, r, code) => expect(runExitCode(r)).toBe(code));
});

describe('listenUrl', () => {
  it.each([
    ['127.0.0.1:8080', false, 'http://127.0.0.1:8080'], ['0.0.0.0:9000', true, 'https://127.0.0.1:9000'], [':9000', false, 'http://127.0.0.1:9000'],
    ['[::]:80', false, 'http://[::1]:80'], ['[::1]:80', false, 'http://[::1]:80'], ['ctl.example.com:443', true, 'https://ctl.example.com:443'],
  ])('%s (tls %s)', (listen, tls, url) => expect(listenUrl(listen, tls)).toBe(url));
});
