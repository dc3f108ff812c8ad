import type { DesiredResource, DesiredState, ResourceKind } from '../../../manifests/types.js';

/** A resource as the manifest loader would produce it (origin and links left empty). */
export function resource(kind: ResourceKind, key: string, spec: Record<string, unknown>, extra: Partial<DesiredResource> = {}): DesiredResource {
  return { id: `${kind}:${key}`, kind, key, spec: { kind, ...spec }, origin: { file: 'hosts/test.yaml', line: 1, col: 1 }, dependsOn: [], notify: [], ...extra };
}

/** A DesiredState for host `name` holding `resources`. */
export function desiredState(name: string, resources: DesiredResource[]): DesiredState {
  return {
    host: {
      name, address: '127.0.0.1', port: 22, user: 'root', platform: 'debian', family: 'debian', state: 'default', sudo: false,
      groups: [], roles: [], data: {}, origin: { file: `hosts/${name}.yaml`, line: 1, col: 1 },
    },
    resources, tests: [], hooks: [], settings: { backups: 5, prune: false, concurrency: 20 },
  };
}

