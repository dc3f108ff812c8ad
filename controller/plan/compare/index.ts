import type { DesiredResource } from '../../../manifests/types.js';
import type { Fact } from '../../facts/types.js';
import { DroverError } from '../../../manifests/errors.js';
import type { Verdict } from '../types.js';
import { compareDirectory, compareFile, compareLine, compareSymlink } from './files.js';
import { compareGroup, compareSecret, compareSshKey, compareUser } from './identity.js';
import { compareCron, compareGit, comparePackage, compareSysctl } from './system.js';
import { compareCommand, compareService, type RunContext } from './runtime.js';

export type { RunContext } from './runtime.js';

/**
 * Compares one resource with its fact. Throws DroverError E_FACT_MISSING (internal) when the
 * observation has no fact of the resource's kind: plan and probe disagree, a bug.
 */
export function compareResource(resource: DesiredResource, fact: Fact | undefined, ctx: RunContext): Verdict {
  if (fact?.kind !== resource.kind) {
    throw new DroverError('E_FACT_MISSING', `no ${resource.kind} fact observed for ${resource.id}`, { kind: 'internal' });
  }
  switch (fact.kind) {
    case 'package': return comparePackage(resource, fact);
    case 'file': return compareFile(resource, fact, ctx.pathsTouched);
    case 'directory': return compareDirectory(resource, fact);
    case 'symlink': return compareSymlink(resource, fact);
    case 'line': return compareLine(resource, fact);
    case 'user': return compareUser(resource, fact);
    case 'group': return compareGroup(resource, fact);
    case 'service': return compareService(resource, fact, ctx);
    case 'command': return compareCommand(resource, fact, ctx);
    case 'git': return compareGit(resource, fact);
    case 'secret': return compareSecret(resource, fact);
    case 'ssh_key': return compareSshKey(resource, fact);
    case 'cron': return compareCron(resource, fact);
    case 'sysctl': return compareSysctl(resource, fact);
  }
}
