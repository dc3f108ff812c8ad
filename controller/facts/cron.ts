/**
 * Cron facts: the drover-managed file /etc/cron.d/drover-<name> (exists, sha256, mode, owner).
 */
import type { DesiredResource } from '../../manifests/types.js';
import {
  parseSha, pathFactOf, q, recordsByIndex, single, specString, statLines,
  type FactDomain, type ProbeSection,
} from './common.js';
import type { CronFact, Fact } from './types.js';

/** Path of the cron file drover manages for the cron resource `name`. */
export function cronPath(name: string): string {
  return `/etc/cron.d/drover-${name}`;
}

function pathOf(r: DesiredResource): string {
  return cronPath(specString(r, 'name') ?? r.key);
}

/** The cron fragment: `a I` / `s I <lstat>` per file, `h I <sha256>` for regular files. */
export function cronFragment(resources: readonly DesiredResource[]): string {
  const paths = resources.map(pathOf);
  const lines = statLines(paths);
  lines.push('set --; _hi=');
  paths.forEach((p, i) => {
    if (p.includes('\n')) lines.push(`if [ -f ${q(p)} ] && [ ! -L ${q(p)} ]; then _sha1 h ${i} ${q(p)}; fi`);
    else lines.push(`_p=${q(p)}; if [ -f "$_p" ] && [ ! -L "$_p" ]; then _hi="\${_hi}${i} "; set -- "$@" "$_p"; fi`);
  });
  lines.push('[ $# -gt 0 ] && _sha h "$_hi" "$@"');
  return lines.join('\n');
}

/** Parses the cron section into a CronFact per cron resource. */
export function parseCron(section: ProbeSection, resources: readonly DesiredResource[]): Record<string, Fact> {
  const byIndex = recordsByIndex(section, resources.length);
  const out: Record<string, Fact> = {};
  resources.forEach((r, i) => {
    const stat = pathFactOf(section.name, byIndex[i]!, r.id);
    const fact: CronFact = { kind: 'cron', exists: stat.exists, path: pathOf(r) };
    if (stat.exists) Object.assign(fact, { mode: stat.mode!, owner: stat.owner! });
    const hash = single(section.name, byIndex[i]!, 'h');
    if (hash && hash.fields[0] !== 'gone' && stat.type === 'file') fact.sha256 = parseSha(section.name, hash.fields[0]);
    out[r.id] = fact;
  });
  return out;
}

/** The cron domain. */
export const cronDomain: FactDomain = {
  section: 'cron',
  kinds: ['cron'],
  fragment: (resources) => cronFragment(resources),
  parse: parseCron,
};
