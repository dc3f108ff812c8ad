/**
 * What keeps a large load small: equal values of many hosts kept once (and frozen, so no host can
 * change another's), and host file documents released once read, their positions unchanged.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManifestValidator, loadRepository, type DesiredState } from '../../../manifests/index.js';
import { locate, parseYamlFile, releaseDocument, type PathSegment } from '../../../manifests/read.js';
import { generateRepository } from '../../bench/gen-repo.js';

let dir: string;
let hosts: DesiredState[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drover-shared-values-'));
  await generateRepository(dir, { hosts: 3, resourcesPerHost: 20 });
  const loaded = await loadRepository(dir, { validator: createManifestValidator() });
  expect(loaded.problems).toEqual([]);
  hosts = loaded.hosts;
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const resource = (host: DesiredState, id: string) => host.resources.find((r) => r.id === id)!;

describe('hosts of one load share equal values', () => {
  it('a role resource has one origin, spec and id for every host', () => {
    const [a, b] = [resource(hosts[0]!, 'package:base-pkg-4'), resource(hosts[1]!, 'package:base-pkg-4')];
    expect(a).not.toBe(b);
    expect(a.origin).toBe(b.origin);
    expect(a.origin).toEqual({ file: 'roles/base.yaml', line: a.origin.line, col: 5 });
    expect(a.spec).toBe(b.spec);
    expect(a.dependsOn).toBe(b.dependsOn);
    // Equal by value, from different files: each host's own tool-0.
    expect(resource(hosts[0]!, 'package:tool-0').spec).toBe(resource(hosts[2]!, 'package:tool-0').spec);
  });

  it('values that differ per host stay apart', () => {
    const [a, b] = [resource(hosts[0]!, 'file:/etc/base/main.conf'), resource(hosts[1]!, 'file:/etc/base/main.conf')];
    expect(a.origin).toBe(b.origin);
    expect(a.content!.text).not.toBe(b.content!.text);
    expect(a.content).not.toBe(b.content);
    expect(hosts[0]!.resources.find((r) => r.kind === 'directory')!.spec).not.toEqual(hosts[1]!.resources.find((r) => r.kind === 'directory')!.spec);
  });

  it('shared values are frozen: a change through one host throws instead of reaching the others', () => {
    const r = resource(hosts[0]!, 'package:base-pkg-4');
    expect(Object.isFrozen(r.spec) && Object.isFrozen(r.origin) && Object.isFrozen(r.dependsOn)).toBe(true);
    expect(() => { (r.spec as { name: string }).name = 'other'; }).toThrow(TypeError);
    expect(() => { r.dependsOn.push('package:x'); }).toThrow(TypeError);
    expect(resource(hosts[1]!, 'package:base-pkg-4').spec).toEqual({ kind: 'package', name: 'base-pkg-4' });
  });

  it('the desired states are what a copy of them is (sharing changes no value)', () => {
    expect(JSON.parse(JSON.stringify(hosts))).toEqual(hosts);
  });
});

describe('releaseDocument', () => {
  const text = 'address: 10.0.0.1\nroles: [web, { role: db, params: { port: 5432 } }]\nresources:\n  - kind: package\n    name: curl\n  - &dir { kind: directory, path: /srv }\n  - *dir\n';
  const paths: PathSegment[][] = [[], ['address'], ['roles', 1, 'params', 'port'], ['resources', 0], ['resources', 0, 'name'], ['resources', 1, 'path'], ['resources', 2], ['resources', 9], ['missing', 'deep']];

  it('keeps the given positions and finds any other one as the document did', () => {
    const source = parseYamlFile({ file: 'hosts/h.yaml', name: 'h', text, problems: [] });
    const before = paths.map((p) => [locate(source, p), locate(source, p, { key: true })]);
    const kept: PathSegment[][] = [[], ['resources', 0], ['resources', 1]];
    const keptBefore = kept.map((p) => locate(source, p));
    releaseDocument(source, kept);
    expect(source.parsed).toBeUndefined();
    expect(kept.map((p) => locate(source, p))).toEqual(keptBefore);
    expect(source.parsed).toBeUndefined(); // answered from the kept positions
    expect(paths.map((p) => [locate(source, p), locate(source, p, { key: true })])).toEqual(before); // parsed again
    expect(before[4]![0]).toEqual({ line: 5, col: 11 });
  });
});
