import type { DesiredResource } from '../../manifests/types.js';

/** The package-manager verb of package steps, by the host's declared platform family (seed conventions). */
const PACKAGE_VERBS: Record<string, string> = { debian: 'aptget', rhel: 'yum', alpine: 'apk' };

/** The fabric-style verb of a resource's work step, by kind (and platform family for packages). */
function verbFor(resource: DesiredResource, family: string): string {
  switch (resource.kind) {
    case 'package':
      return PACKAGE_VERBS[family] ?? 'install';
    case 'file': case 'symlink': case 'line': case 'cron': case 'sysctl':
      return 'regen';
    default:
      return 'install';
  }
}

/**
 * The phase of a resource's work step: `regen` for kinds whose content drover renders (files, symlinks,
 * lines, cron entries, sysctl values), `install` for the rest. By kind, so a `step:` override keeps it.
 */
export function workPhase(resource: DesiredResource): 'install' | 'regen' {
  return verbFor(resource, '') === 'regen' ? 'regen' : 'install';
}

/** Turns a key into a step-name fragment: lower case, [a-z0-9_] only. */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'root';
}

/**
 * The name of a resource's work step, following the seed conventions: `aptget_nginx` (`yum_`, `apk_` by
 * the host's declared platform family), `regen_etc_nginx_nginx_conf` (the whole path), `install_dir_srv_app`,
 * `install_user_django`, `regen_line_etc_ssh_sshd_config` (every line of a file shares it). A manifest
 * `step:` overrides. The name depends on the resource alone (and the family, for packages), never on the
 * host's other resources, so hooks (`scripts/pre/<step>/`) and `drover run HOST STEP` keep working as a
 * repository grows; resources whose names coincide share the step, as with `step:`.
 */
export function stepName(resource: DesiredResource, family: string): string {
  if (resource.step !== undefined) return resource.step;
  const verb = verbFor(resource, family);
  switch (resource.kind) {
    case 'package': case 'cron': case 'sysctl':
      return `${verb}_${slug(resource.key)}`;
    case 'file': case 'symlink':
      return `${verb}_${slug(resource.key)}`;
    case 'line':
      return `regen_line_${slug(String(resource.spec.path ?? resource.key))}`;
    case 'directory':
      return `install_dir_${slug(resource.key)}`;
    default:
      return `${verb}_${resource.kind}_${slug(resource.key)}`;
  }
}

/** Names every resource's work step (see stepName). Returns id -> step name. */
export function nameSteps(resources: readonly DesiredResource[], family: string): Map<string, string> {
  return new Map(resources.map((r) => [r.id, stepName(r, family)]));
}

/** The compound step grouping a resource's steps: `setup_<role>`, or `setup_<host>` for host/group resources. */
export function groupName(resource: DesiredResource, hostName: string): string {
  return `setup_${slug(resource.role ?? hostName)}`;
}
