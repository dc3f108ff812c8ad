import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { registerInit } from './init.js';
import { registerValidate } from './validate.js';
import { registerHosts } from './hosts.js';
import { registerPlan } from './plan.js';
import { registerReconcile } from './reconcile.js';
import { registerRun } from './run.js';
import { registerFacts } from './facts.js';
import { registerSteps } from './steps.js';
import { registerSecrets } from './secrets.js';
import { registerController } from './controller.js';
import { registerSync } from './sync.js';
import { registerSuspendResume } from './suspend.js';
import { registerRollout } from './rollout.js';

/** Adds every drover subcommand to `program`. */
export function registerCommands(program: Command, io: CliIo): void {
  registerInit(program, io);
  registerValidate(program, io);
  registerHosts(program, io);
  registerPlan(program, io);
  registerReconcile(program, io);
  registerRun(program, io);
  registerFacts(program, io);
  registerSteps(program, io);
  registerSecrets(program, io);
  registerController(program, io);
  registerSync(program, io);
  registerSuspendResume(program, io);
  registerRollout(program, io);
}
