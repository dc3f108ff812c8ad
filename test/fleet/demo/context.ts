/** What every demo step gets: the fleet, the files on disk, the controller and the report. */
import type { Fleet } from '../index.js';
import type { DemoController } from './controller.js';
import type { Reporter } from './say.js';
import type { DemoWorld } from './setup.js';

/** The demo's running parts. */
export interface DemoContext {
  fleet: Fleet;
  world: DemoWorld;
  ctl: DemoController;
  reporter: Reporter;
}

/** A step: prints what it does and resolves with the facts it checked; throws DemoStepFailed when something misbehaved. */
export type DemoStep = (ctx: DemoContext) => Promise<Record<string, unknown>>;

/** `main@sha1:<commit>`, the revision name the controller gives a commit of main. */
export const revisionOf = (commit: string): string => `main@sha1:${commit}`;

/** The short form shown to people: `main@abc1234`. */
export const shortRevision = (revision: string | undefined | null): string =>
  revision ? revision.replace(/@sha1:([0-9a-f]{7})[0-9a-f]*/, '@$1') : '(none)';
