/**
 * Action builders by kind: (resource, step, context) -> sh text. Packages are batched by the
 * assembler (installPackages / removePackages), not here.
 */
import type { DesiredResource, ResourceKind } from '../../../manifests/types.js';
import type { PlanStep } from '../../plan/types.js';
import type { ActionScript } from '../types.js';
import type { ActionContext } from './common.js';
import { directoryAction, fileAction, lineAction, symlinkAction } from './files.js';
import { groupAction, secretAction, sshKeyAction, userAction } from './identity.js';
import { commandAction, serviceAction } from './runtime.js';
import { cronAction, gitAction, sysctlAction } from './system.js';

export type { ActionContext } from './common.js';
export { backupAction, backupIndexName, restoreAction, restorePristineAction, testAction } from './checks.js';
export { installPackages, removePackages } from './system.js';
export { handlerAction } from './runtime.js';

type WorkKind = Exclude<ResourceKind, 'package'>;

/** An action builder for resources of kind K. */
type KindBuilder<K extends ResourceKind> = (resource: DesiredResource<K>, step: PlanStep, context: ActionContext) => ActionScript;

const BUILDERS: { [K in WorkKind]: KindBuilder<K> } = {
  file: fileAction,
  directory: directoryAction,
  symlink: symlinkAction,
  line: lineAction,
  user: userAction,
  group: groupAction,
  secret: secretAction,
  ssh_key: sshKeyAction,
  service: serviceAction,
  command: commandAction,
  git: gitAction,
  cron: cronAction,
  sysctl: sysctlAction,
};

/**
 * The work of one install/regen step. Throws DroverError E_APPLY_INVALID for values the host must not
 * see (a mode that is not octal, a package name that is not one), and an Error for packages (batched elsewhere).
 */
export function buildWorkAction(resource: DesiredResource, step: PlanStep, context: ActionContext): ActionScript {
  if (resource.kind === 'package') throw new Error('package steps are batched by the assembler');
  // BUILDERS[kind] takes resources of that kind; TypeScript cannot pair the two through the index.
  return (BUILDERS[resource.kind] as KindBuilder<WorkKind>)(resource, step, context);
}
