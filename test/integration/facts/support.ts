/** Helpers of the facts integration tests: desired states, a run-counting Transport, a tiny .deb. */
import { expect } from 'vitest';
import type { Transport } from '../../../controller/transport/types.js';
import type { DesiredResource, DesiredState, ResourceKind } from '../../../manifests/types.js';

/** A resource as the manifest loader would produce it (origin and links left empty). */
export function resource(kind: ResourceKind, key: string, spec: Record<string, unknown>, extra: Partial<DesiredResource> = {}): DesiredResource {
  // Test data is not checked against the schema: tests may build resources the loader would refuse.
  return { id: `${kind}:${key}`, kind, key, spec: { kind, ...spec }, origin: { file: 'hosts/test.yaml', line: 1, col: 1 }, dependsOn: [], notify: [], ...extra } as DesiredResource;
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

/** Delegates to `inner` and records every run() (command and stdout), so tests can count round trips. */
export class CountingTransport implements Transport {
  readonly runs: { command: string; stdout: Buffer }[] = [];
  constructor(private readonly inner: Transport) {}
  get host(): string {
    return this.inner.host;
  }
  async run(command: string, options?: Parameters<Transport['run']>[1]): ReturnType<Transport['run']> {
    const result = await this.inner.run(command, options);
    this.runs.push({ command, stdout: result.stdout });
    return result;
  }
  upload(...args: Parameters<Transport['upload']>): ReturnType<Transport['upload']> {
    return this.inner.upload(...args);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** Runs a setup script on the host and fails the test when it exits non-zero. */
export async function setUp(t: Transport, script: string): Promise<void> {
  const result = await t.run(script);
  expect(result.code, `${script}\n${result.stderr.toString()}`).toBe(0);
}

export { buildDeb } from '../../support/debs.js';
