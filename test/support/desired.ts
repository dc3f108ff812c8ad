/**
 * Desired states as the manifest loader makes them, built in code for unit and integration tests:
 * desiredState(host, resources) with resource(kind, key, spec) and file(path, text); and resources as
 * fixture files (test/fixtures/plan, test/fixtures/apply) write them, by id: resourceFromFixture().
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

/** A resource as a fixture file writes it: its `id` (`kind:key`) and what differs from the defaults. */
export type ResourceFixture = Partial<Omit<DesiredResource, 'spec'>> & { id: string; spec?: Record<string, unknown> };

/** The spec field that holds the key, by kind. */
const KEY_FIELD: Partial<Record<ResourceKind, string>> = {
  package: 'name', user: 'name', group: 'name', service: 'name', command: 'name', secret: 'name', cron: 'name',
  file: 'path', directory: 'path', symlink: 'path', git: 'path', ssh_key: 'path', sysctl: 'key',
};

/**
 * A fixture's resource filled in: `kind`/`key` from its id, `spec.kind` and the spec's key field (`name`,
 * `path` or `key`) from the id, `origin` hosts/web1.yaml, `dependsOn`/`notify` [] unless given.
 */
export function resourceFromFixture(r: ResourceFixture): DesiredResource {
  const colon = r.id.indexOf(':');
  const kind = r.id.slice(0, colon) as ResourceKind;
  const key = r.id.slice(colon + 1);
  const keyField = KEY_FIELD[kind];
  const spec = { ...(keyField === undefined ? {} : { [keyField]: key }), ...r.spec, kind };
  return {
    origin: { file: 'hosts/web1.yaml', line: 1, col: 1 }, dependsOn: [], notify: [],
    ...r, kind, key, spec,
  } as DesiredResource;
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
