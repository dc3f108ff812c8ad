import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DroverError } from '../../../manifests/errors.js';
import { loadRollouts, requestResume } from '../../daemon/rollouts/rollout-store.js';
import { createControllerClient } from '../client/http-client.js';
import { resolveEndpoint, type EndpointFlags } from '../client/endpoint.js';
import { endpointOptions } from '../client/options.js';
import { ExitCode } from '../exit-codes.js';
import { type CliIo, println } from '../io.js';
import { setExitCode } from '../context.js';

/** How long `drover rollout resume` waits for a running controller to take the request. */
const PICKUP_WAIT_MS = 5000;

/**
 * `drover rollout resume (--state-dir DIR | --controller URL) [--lane L]`: resumes a halted staged
 * rollout. With --state-dir the request goes through the controller's state directory: a running
 * controller takes it within a second (and the command says so), a stopped one when it starts.
 * Otherwise it asks a running controller over HTTP (POST /api/v1/rollout/resume; the controller is
 * found like `drover sync` finds it). Refuses (exit 1) when no rollout is halted.
 */
export function registerRollout(program: Command, io: CliIo): void {
  const rollout = program.command('rollout').description('staged rollouts (drover.yaml `rollout`)');
  endpointOptions(rollout
    .command('resume')
    .description('resume a halted rollout: its next wave starts (a new commit resumes it too)')
    .option('--state-dir <dir>', "the controller's state directory (instead of asking it over HTTP)")
    .option('--lane <lane>', 'only this rollout: `default` (drover.yaml) or a group with its own policy'))
    .action(async (opts: EndpointFlags & { stateDir?: string; lane?: string }, self: Command) => {
      if (opts.stateDir !== undefined && opts.controller !== undefined) {
        throw new DroverError('E_USAGE', 'give either --state-dir DIR (a controller on this machine) or --controller URL, not both');
      }
      if (opts.stateDir !== undefined) {
        setExitCode(self, await resume(io, resolve(io.cwd, opts.stateDir), opts.lane));
        return;
      }
      const client = createControllerClient(await resolveEndpoint(io, opts));
      const rollouts = await client.resumeRollout(opts.lane === undefined ? {} : { lane: opts.lane });
      for (const p of rollouts.filter((r) => opts.lane === undefined || r.lane === opts.lane)) {
        println(io, `rollout ${p.lane}: ${p.halted ? `still Halted: ${p.halted.reason}` : `resumed; wave ${p.waves[p.wave - 1]?.name ?? '(done)'} of ${p.revision}`}`);
      }
    });
}

async function resume(io: CliIo, stateDir: string, lane: string | undefined): Promise<number> {
  const halted = loadRollouts(stateDir).filter((p) => p.halted && (lane === undefined || p.lane === lane));
  if (halted.length === 0) {
    throw new DroverError('E_ROLLOUT_NOT_HALTED', `no halted rollout${lane === undefined ? '' : ` "${lane}"`} in ${stateDir}; nothing to resume (drover hosts --state-dir shows the rollouts)`);
  }
  const file = await requestResume(stateDir, lane);
  for (let waited = 0; waited < PICKUP_WAIT_MS && existsSync(file); waited += 100) await new Promise((r) => setTimeout(r, 100));
  if (existsSync(file)) {
    println(io, `resume requested (${file}); no running controller took it yet: it is applied when the controller starts`);
    return ExitCode.ok;
  }
  for (const p of loadRollouts(stateDir).filter((r) => lane === undefined || r.lane === lane)) {
    println(io, `rollout ${p.lane}: ${p.halted ? `still Halted: ${p.halted.reason}` : `resumed; wave ${p.waves[p.current]?.name ?? '(done)'} of ${p.revision}`}`);
  }
  return ExitCode.ok;
}
