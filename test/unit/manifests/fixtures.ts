/**
 * Shared helpers of the manifests tests: fixture locations, the projection of a loaded
 * repository compared with expected.json, and UPDATE_FIXTURES=1 to rewrite expected files
 * (review the diff before committing).
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatProblem, type LoadedRepository } from '../../../manifests/index.js';

const here = dirname(fileURLToPath(import.meta.url));

/** test/fixtures/<area> */
export function fixturesDir(area: string): string {
  return join(here, '../../fixtures', area);
}

/** Names of the case directories under a fixtures dir, sorted. */
export function caseNames(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

/** Reads an expected file, or writes `actual` to it first when UPDATE_FIXTURES=1. */
export function expectedText(file: string, actual: string): string {
  if (process.env.UPDATE_FIXTURES === '1') writeFileSync(file, actual);
  return readFileSync(file, 'utf8');
}

/** What the valid-repository fixtures pin down: every host's DesiredState, origins as `file:line:col`. */
export function project(loaded: LoadedRepository): unknown {
  return {
    problems: loaded.problems.map(formatProblem),
    groups: loaded.groups,
    roles: loaded.roles,
    members: loaded.members,
    settings: loaded.settings,
    hosts: loaded.hosts.map((h) => ({
      host: { ...h.host, origin: `${h.host.origin.file}:${h.host.origin.line}:${h.host.origin.col}` },
      resources: h.resources.map((r) => ({ ...r, origin: `${r.origin.file}:${r.origin.line}:${r.origin.col}` })),
      tests: h.tests.map((t) => ({ ...t, origin: `${t.origin.file}:${t.origin.line}:${t.origin.col}` })),
      hooks: h.hooks,
    })),
  };
}
