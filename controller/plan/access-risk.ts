/**
 * Which changes can cut drover's own SSH access to a host, so that the lockout guard (reconcile/confirm.ts)
 * must confirm the run over a new connection. Pure. A run needs the guard unless every step that changes
 * something is one of these, which cannot touch sshd, PAM, NSS, sudo, the network or a login:
 *   - a backup_ step (a copy into the host's backup store) or a test_ check;
 *   - a file, directory, symlink, line, git or secret change (incl. its removal and purge_ steps) whose
 *     path lies in a data area: under /srv, /opt, /var/www, /var/log, /var/cache, /var/opt, /tmp or
 *     /var/tmp, at least two levels down (/srv/app/x, not /srv/app: a directory right under a data area
 *     may be a user's home, whose mode sshd checks), with no path component starting with `.` (.ssh,
 *     .bashrc) and no `..`.
 * Everything else is guarded: every path under /etc, /root, /home, /usr, /boot, /var/lib, ...; packages,
 * users, groups, services, commands, cron, sysctl, ssh keys, and handlers (restarts).
 */
import type { DesiredResource, DesiredState } from '../../manifests/types.js';
import { secretPath } from '../facts/files.js';
import type { Plan, PlanStep } from './types.js';

/** Where changes cannot reach SSH access (see above). */
export const DATA_AREAS: readonly string[] = ['/srv', '/opt', '/var/www', '/var/log', '/var/cache', '/var/opt', '/tmp', '/var/tmp'];

const FILE_KINDS = new Set(['file', 'directory', 'symlink', 'line', 'git', 'secret']);

/**
 * The first step of `plan` that needs the guard, with why; undefined when none does (the run changes only
 * data areas, or nothing). Steps listed only (`report`) and steps that change nothing count for nothing.
 */
export function accessRisk(plan: Pick<Plan, 'steps'>, desired: Pick<DesiredState, 'resources'>): { step: string; why: string } | undefined {
  const byId = new Map(desired.resources.map((r) => [r.id, r]));
  for (const step of plan.steps) {
    if (step.action === 'none' || step.report) continue;
    const why = stepRisk(step, byId.get(step.resource), desired.resources);
    if (why) return { step: step.name, why };
  }
  return undefined;
}

function stepRisk(step: PlanStep, resource: DesiredResource | undefined, all: readonly DesiredResource[]): string | undefined {
  if (step.phase === 'backup' || step.phase === 'test') return undefined;
  if (step.phase === 'handler') return 'a handler runs (it may restart any service)';
  if (!FILE_KINDS.has(step.kind)) return `a ${step.kind} changes`;
  const path = step.purge?.path ?? (resource?.kind === 'secret' ? secretPath(resource.key, all) : pathOf(resource));
  if (path === undefined) return `the path of ${step.resource} is not known`;
  return inDataArea(path) ? undefined : `${path} is outside the data areas (${DATA_AREAS.join(', ')})`;
}

function pathOf(resource: DesiredResource | undefined): string | undefined {
  if (!resource) return undefined;
  const path = (resource.spec as { path?: unknown }).path;
  if (typeof path === 'string') return path;
  return resource.kind === 'file' || resource.kind === 'directory' || resource.kind === 'symlink' || resource.kind === 'git' ? resource.key : undefined;
}

/** True when `path` lies at least two levels inside a data area, with no hidden or `..` component. */
export function inDataArea(path: string): boolean {
  if (!path.startsWith('/')) return false;
  const parts = path.split('/').filter(Boolean);
  if (parts.some((p) => p.startsWith('.'))) return false;
  return DATA_AREAS.some((area) => {
    const depth = area.split('/').filter(Boolean).length;
    return path.startsWith(`${area}/`) && parts.length >= depth + 2;
  });
}
