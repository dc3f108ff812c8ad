import { DroverError } from '../../manifests/errors.js';
import type { DesiredState } from '../../manifests/types.js';
import type { ObservedState } from '../facts/types.js';

/**
 * Refuses to plan a host whose declared platform family (from `platform:` in the manifests, which
 * picks the roles' platform overrides: package names, paths, services) differs from the family the
 * probe observed: such a plan would install the wrong packages and write the wrong paths.
 * Families are compared (`rhel` matches a Rocky or CentOS host, `debian` an Ubuntu one); a host
 * whose family drover cannot tell (no os-release) is not refused.
 * Throws DroverError E_PLATFORM_MISMATCH (stalled: the manifest or the inventory must change)
 * naming the host, the declared and the observed platform.
 */
export function checkPlatform(desired: DesiredState, observed: ObservedState): void {
  const declared = desired.host;
  const seen = observed.platform;
  if (seen.family === 'unknown' || seen.family === declared.family) return;
  const declaredText = declared.platform === declared.family ? declared.platform : `${declared.platform} (family ${declared.family})`;
  const seenText = `${seen.id}${seen.version ? ` ${seen.version}` : ''} (family ${seen.family})`;
  throw new DroverError(
    'E_PLATFORM_MISMATCH',
    `${declared.name}: declared platform ${declaredText}, but the host runs ${seenText}; nothing planned for it: `
      + `correct \`platform:\` for ${declared.name} in the manifests or point it at a ${declared.family}-family host`,
    { host: declared.name },
  );
}
