/**
 * Desired states as the manifest loader makes them, built in code for unit and integration tests:
 * desiredState(host, resources) with resource(kind, key, spec) and file(path, text).
 */
import { createHash } from 'node:crypto';
import type { DesiredResource, DesiredState, ResourceKind } from '../../manifests/types.js';

/** A resource as the manifest loader would produce it (origin and links left empty). */
export function resource(kind: ResourceKind, key: string, spec: Record<string, unknown>, extra: Partial<DesiredResource> = {}): DesiredResource {
  // Test data is not checked against the schema: tests may build resources the loader would refuse.
  return { id: `${kind}:${key}`, kind, key, spec: { kind, ...spec }, origin: { file: 'hosts/test.yaml', line: 1, col: 1 }, dependsOn: [], notify: [], ...extra } as DesiredResource;
}

/** A file resource with rendered text content (placeholders of `secrets` left in the text). */
export function file(path: string, text: string, spec: Record<string, unknown> = {}, secrets: string[] = []): DesiredResource {
  const content = { text, sha256: createHash('sha256').update(text).digest('hex'), secrets };
  return resource('file', path, { path, ...spec }, { content });
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
