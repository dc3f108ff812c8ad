/**
 * Splits probe output into sections and dispatches each to its domain's parser. Pure.
 * Only lines starting with the run's token count; anything else (banners, stray tool output) is ignored.
 */
import type { DesiredResource } from '../../manifests/types.js';
import { probeOutputError, type ProbeRecord, type ProbeSection } from './common.js';
import { BOOT_SECTION, parseBoot } from './boot.js';
import { DROVER_STATE_SECTION, parseDroverState } from './drover-state.js';
import { parsePlatform, PLATFORM_SECTION } from './platform.js';
import { domainResources, FACT_DOMAINS } from './probe.js';
import type { BootFact, Fact, PlatformFact } from './types.js';
import type { UndoneRun } from './undone.js';

/** What a probe run told: the platform and one Fact per resource id. */
export interface ProbeFacts {
  platform: PlatformFact;
  resources: Record<string, Fact>;
  /** From the optional `drover` section (see drover-state.ts): pending handler ids, when any. */
  pending?: string[];
  /** From the optional `drover` section: the inventory of managed ids, when recorded. */
  inventory?: string[];
  /** From the optional `drover` section: the lockout guard's record of the last run it undid. */
  undone?: UndoneRun;
  /** From the optional `boot` section (see boot.ts). */
  boot?: BootFact;
}

interface SplitState {
  sections: Map<string, ProbeSection>;
  open: ProbeSection | undefined;
  done: boolean;
}

function handleFrame(state: SplitState, tag: string, fields: string[]): boolean {
  if (tag === 'begin') {
    const name = fields[0] ?? '';
    if (state.open || state.sections.has(name)) throw probeOutputError(name, 'section opened twice or inside another');
    state.open = { name, records: [], status: -1 };
    return true;
  }
  if (tag === 'end') {
    const name = fields[0] ?? '';
    if (!state.open || state.open.name !== name || !/^\d+$/.test(fields[1] ?? '')) throw probeOutputError(name, 'unbalanced section end');
    state.open.status = Number(fields[1]);
    state.sections.set(name, state.open);
    state.open = undefined;
    return true;
  }
  if (tag === 'done') {
    if (state.open) throw probeOutputError(state.open.name, 'probe finished inside the section');
    state.done = true;
    return true;
  }
  return false;
}

/**
 * Splits `output` into its sections (records without the token and the tag split into fields).
 * Throws E_PROBE_OUTPUT (internal) naming the section when framing is broken, a section exited
 * non-zero, or the probe did not finish.
 */
export function splitProbeOutput(output: string, token: string): Map<string, ProbeSection> {
  const state: SplitState = { sections: new Map(), open: undefined, done: false };
  const prefix = `${token} `;
  for (const raw of output.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!line.startsWith(prefix)) continue;
    if (state.done) throw probeOutputError('done', 'output after the end of the probe');
    const [tag, ...fields] = line.slice(prefix.length).split(' ');
    if (handleFrame(state, tag!, fields)) continue;
    if (!state.open) throw probeOutputError('(none)', `record "${tag}" outside any section`);
    state.open.records.push({ tag: tag!, fields } satisfies ProbeRecord);
  }
  if (state.open) throw probeOutputError(state.open.name, 'output ends inside the section');
  if (!state.done) throw probeOutputError('done', 'the probe did not finish');
  for (const s of state.sections.values()) {
    if (s.status !== 0) throw probeOutputError(s.name, `section exited with status ${s.status}`);
  }
  return state.sections;
}

/**
 * Parses a whole probe output for `resources` (the same list the probe was built from).
 * Returns the platform and one Fact per resource id; throws E_PROBE_OUTPUT naming the section
 * on malformed or missing output.
 */
export function parseProbeOutput(output: string, options: { token: string; resources: readonly DesiredResource[] }): ProbeFacts {
  const sections = splitProbeOutput(output, options.token);
  const platformSection = sections.get(PLATFORM_SECTION);
  if (!platformSection) throw probeOutputError(PLATFORM_SECTION, 'section missing');
  const resources: Record<string, Fact> = {};
  for (const domain of FACT_DOMAINS) {
    const own = domainResources(domain, options.resources);
    if (own.length === 0) continue;
    const section = sections.get(domain.section);
    if (!section) throw probeOutputError(domain.section, 'section missing');
    Object.assign(resources, domain.parse(section, own));
  }
  for (const r of options.resources) {
    if (!(r.id in resources)) throw probeOutputError(r.kind, `no fact for ${r.id}`);
  }
  const state = sections.has(DROVER_STATE_SECTION) ? parseDroverState(sections.get(DROVER_STATE_SECTION)!) : {};
  const out: ProbeFacts = { platform: parsePlatform(platformSection), resources };
  if (state.pending !== undefined && state.pending.length > 0) out.pending = state.pending;
  if (state.inventory !== undefined) out.inventory = state.inventory;
  if (state.undone !== undefined) out.undone = state.undone;
  if (sections.has(BOOT_SECTION)) out.boot = parseBoot(sections.get(BOOT_SECTION)!);
  return out;
}
