/**
 * Command guard facts: `creates` (path exists), `unless` and `onlyIf` (exit status of a sh command
 * run in the probe with the command's user, cwd and env, stdin from /dev/null, output discarded,
 * killed after a time cap where the host has `timeout`).
 */
import type { DesiredResource } from '../../manifests/types.js';
import {
  isDigits, probeOutputError, q, recordsByIndex, single, specString,
  type FactDomain, type FragmentContext, type ProbeSection,
} from './common.js';
import type { CommandFact, Fact } from './types.js';
import { runCommandSh } from '../transport/host-sh.js';

function guardSeconds(r: DesiredResource, cap: number): number {
  const own = r.kind === 'command' ? Number(r.spec.timeout) : undefined;
  return own !== undefined && own > 0 ? Math.min(Math.ceil(own), cap) : cap;
}

/** The sh text running one guard command as the apply does (host-sh.ts); prints `<tag> I <exit status>`. */
function guardLine(r: DesiredResource, i: number, tag: string, command: string, seconds: number): string {
  const setting = {
    cwd: specString(r, 'cwd'), user: specString(r, 'user'),
    env: r.kind === 'command' ? r.spec.env : undefined,
  };
  return `${runCommandSh(setting, command, seconds)} </dev/null >/dev/null 2>&1; echo "$_T ${tag} ${i} $?"`;
}

/** The commands fragment: `cc I 0|1` (creates exists), `cu I <status>` (unless), `co I <status>` (onlyIf). */
export function commandsFragment(resources: readonly DesiredResource[], context: FragmentContext): string {
  const lines: string[] = [];
  resources.forEach((r, i) => {
    const creates = specString(r, 'creates');
    if (creates !== undefined) lines.push(`if [ -e ${q(creates)} ] || [ -L ${q(creates)} ]; then echo "$_T cc ${i} 1"; else echo "$_T cc ${i} 0"; fi`);
    const seconds = guardSeconds(r, context.guardTimeoutSec);
    const unless = specString(r, 'unless');
    if (unless !== undefined) lines.push(guardLine(r, i, 'cu', unless, seconds));
    const onlyIf = specString(r, 'onlyIf');
    if (onlyIf !== undefined) lines.push(guardLine(r, i, 'co', onlyIf, seconds));
  });
  return lines.join('\n');
}

function status(section: string, field: string | undefined, id: string): number {
  if (!isDigits(field)) throw probeOutputError(section, `malformed guard status for ${id}: ${JSON.stringify(field)}`);
  return Number(field);
}

/** Parses the commands section into a CommandFact per command resource (a declared guard without a record is an error). */
export function parseCommands(section: ProbeSection, resources: readonly DesiredResource[]): Record<string, Fact> {
  const byIndex = recordsByIndex(section, resources.length);
  const out: Record<string, Fact> = {};
  resources.forEach((r, i) => {
    const records = byIndex[i]!;
    const fact: CommandFact = { kind: 'command' };
    const expect = (tag: string, field: string): string | undefined => {
      const rec = single(section.name, records, tag);
      if (!rec && specString(r, field) !== undefined) throw probeOutputError(section.name, `no "${tag}" record for ${r.id}`);
      return rec?.fields[0];
    };
    const creates = expect('cc', 'creates');
    if (creates !== undefined) fact.createsExists = creates === '1';
    const unless = expect('cu', 'unless');
    if (unless !== undefined) fact.unlessStatus = status(section.name, unless, r.id);
    const onlyIf = expect('co', 'onlyIf');
    if (onlyIf !== undefined) fact.onlyIfStatus = status(section.name, onlyIf, r.id);
    if (fact.unlessStatus !== undefined) fact.unlessOk = fact.unlessStatus === 0;
    if (fact.onlyIfStatus !== undefined) fact.onlyIfOk = fact.onlyIfStatus === 0;
    out[r.id] = fact;
  });
  return out;
}

/** The commands domain. */
export const commandsDomain: FactDomain = {
  section: 'commands',
  kinds: ['command'],
  fragment: commandsFragment,
  parse: parseCommands,
};
