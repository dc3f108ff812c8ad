import type { DesiredResource, DesiredResourceOf, ResourceKind } from '../../../manifests/types.js';
import type { Fact } from '../../facts/types.js';
import { DroverError } from '../../../manifests/errors.js';
import type { Verdict } from '../types.js';
import { compareDirectory, compareFile, compareLine, compareSymlink } from './files.js';
import { compareGroup, compareSecret, compareSshKey, compareUser } from './identity.js';
import { compareCron, compareGit, comparePackage, compareSysctl } from './system.js';
import { compareCommand, compareService, type RunContext } from './runtime.js';

export type { RunContext } from './runtime.js';

/** The fact of a resource's own kind; throws DroverError E_FACT_MISSING (internal) when the observation has none. */
function factOf<K extends ResourceKind>(resource: DesiredResourceOf<K>, fact: Fact | undefined): Extract<Fact, { kind: K }> {
  if (fact?.kind !== resource.kind) {
    throw new DroverError('E_FACT_MISSING', `no ${resource.kind} fact observed for ${resource.id}`);
  }
  return fact as Extract<Fact, { kind: K }>;
}

/**
 * Compares one resource with its fact. Throws DroverError E_FACT_MISSING (internal) when the
 * observation has no fact of the resource's kind: plan and probe disagree, a bug.
 */
export function compareResource(resource: DesiredResource, fact: Fact | undefined, ctx: RunContext): Verdict {
  switch (resource.kind) {
    case 'package': return comparePackage(resource, factOf(resource, fact));
    case 'file': return compareFile(resource, factOf(resource, fact), ctx.pathsTouched);
    case 'directory': return compareDirectory(resource, factOf(resource, fact));
    case 'symlink': return compareSymlink(resource, factOf(resource, fact));
    case 'line': return compareLine(resource, factOf(resource, fact));
    case 'user': return compareUser(resource, factOf(resource, fact));
    case 'group': return compareGroup(resource, factOf(resource, fact));
    case 'service': return compareService(resource, factOf(resource, fact), ctx);
    case 'command': return compareCommand(resource, factOf(resource, fact), ctx);
    case 'git': return compareGit(resource, factOf(resource, fact));
    case 'secret': return compareSecret(resource, factOf(resource, fact));
    case 'ssh_key': return compareSshKey(resource, factOf(resource, fact));
    case 'cron': return compareCron(resource, factOf(resource, fact));
    case 'sysctl': return compareSysctl(resource, factOf(resource, fact));
  }
}
