/**
 * Service facts. systemd: one `systemctl show` for all units while systemd runs, else the offline
 * `systemctl is-enabled` per unit (active then unknown: `live: false`). supervisor:
 * `supervisorctl status NAME`. runit: `sv status NAME` and whether the service is linked into
 * /etc/service, /var/service or /service.
 */
import type { DesiredResource } from '../../manifests/types.js';
import {
  decodeHexField, probeOutputError, q, recordsByIndex, single, specString,
  type FactDomain, type ProbeRecord, type ProbeSection,
} from './common.js';
import type { Fact, ServiceFact, ServiceManager } from './types.js';

const UNIT_NAME = /^[A-Za-z0-9:_.@\\-]+$/;
const UNIT_SUFFIX = /\.(service|socket|timer|target|path|mount|automount|swap|slice|scope|device)$/;
const ENABLED_STATES = new Set(['enabled', 'enabled-runtime', 'alias', 'generated']);
const SUPERVISOR_STATES = new Set(['STOPPED', 'STARTING', 'RUNNING', 'BACKOFF', 'STOPPING', 'EXITED', 'FATAL', 'UNKNOWN']);

/** The manager a service resource names (default systemd). */
export function serviceManager(r: DesiredResource): ServiceManager {
  return r.kind === 'service' ? r.spec.manager ?? 'systemd' : 'systemd';
}

/** The systemd unit of a service name: `nginx` -> `nginx.service`; other unit types keep their suffix. */
export function unitName(name: string): string {
  return UNIT_SUFFIX.test(name) ? name : `${name}.service`;
}

function serviceName(r: DesiredResource): string {
  return specString(r, 'name') ?? r.key;
}

/** Units probed with systemctl, in output order: index into `resources` and unit name. */
function systemdUnits(resources: readonly DesiredResource[]): { index: number; unit: string }[] {
  return resources
    .map((r, index) => ({ index, unit: unitName(serviceName(r)), r }))
    .filter(({ r, unit }) => serviceManager(r) === 'systemd' && UNIT_NAME.test(unit) && !unit.startsWith('-'))
    .map(({ index, unit }) => ({ index, unit }));
}

function systemdLines(resources: readonly DesiredResource[]): string[] {
  const units = systemdUnits(resources);
  if (units.length === 0) return [];
  const args = units.map((u) => q(u.unit)).join(' ');
  return [
    'if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then echo "$_T sm live"',
    `  systemctl show -p LoadState,UnitFileState,ActiveState -- ${args} 2>/dev/null | while IFS= read -r _l; do printf '%s sd %s\\n' "$_T" "\${_l:--}"; done`,
    'elif command -v systemctl >/dev/null 2>&1; then echo "$_T sm offline"',
    ...units.map((u) => `  _s=$(systemctl is-enabled -- ${q(u.unit)} 2>/dev/null | head -n 1); echo "$_T so ${u.index} \${_s:--}"`),
    'else echo "$_T sm none"; fi',
  ];
}

/** sh setting `_sd` to runit's service dir: the first of /etc/service, /var/service, /service that exists, else empty. */
export const RUNIT_SERVICE_DIR = '_sd=; for _d in /etc/service /var/service /service; do if [ -d "$_d" ]; then _sd=$_d; break; fi; done';

/**
 * runit: linked into the first service dir that exists (the one runsvdir scans, and `sv`'s SVDIR),
 * defined (/etc/sv/NAME is a directory) and the first line of `sv status`.
 */
function runitLines(name: string, i: number): string[] {
  return [
    RUNIT_SERVICE_DIR,
    `_e=0; [ -n "$_sd" ] && { [ -e "$_sd"/${name} ] || [ -L "$_sd"/${name} ]; } && _e=1; _f=0; [ -d /etc/sv/${name} ] && _f=1`,
    `if command -v sv >/dev/null 2>&1; then echo "$_T rv ${i} $_e x$(SVDIR=\${_sd:-/etc/service} sv status ${name} 2>&1 | head -n 1 | _hx) $_f"; else echo "$_T rv ${i} $_e - $_f"; fi`,
  ];
}

function otherLines(resources: readonly DesiredResource[]): string[] {
  return resources.flatMap((r, i) => {
    const name = q(serviceName(r));
    if (serviceManager(r) === 'supervisor') {
      return [`if command -v supervisorctl >/dev/null 2>&1; then echo "$_T sv ${i} x$(supervisorctl status ${name} 2>&1 | head -n 1 | _hx)"; else echo "$_T sv ${i} -"; fi`];
    }
    if (serviceManager(r) === 'runit') return runitLines(name, i);
    return [];
  });
}

/** The services fragment: `sm live|offline|none`, `sd <Property=value>|-` lines, `so I <state>`, `sv I x<status>`, `rv I 0|1 x<status> 0|1`. */
export function servicesFragment(resources: readonly DesiredResource[]): string {
  return [...systemdLines(resources), ...otherLines(resources)].join('\n');
}

function unknown(manager: ServiceManager): ServiceFact {
  return { kind: 'service', manager, known: false, enabled: false, active: false, live: true };
}

/** Splits `sd` records into one property map per unit (blocks separated by `-`). */
function systemdBlocks(records: readonly ProbeRecord[]): Record<string, string>[] {
  const blocks: Record<string, string>[] = [];
  let current: Record<string, string> | undefined;
  for (const r of records) {
    const line = r.fields.join(' ');
    if (line === '-') { current = undefined; continue; }
    if (!current) blocks.push(current = {});
    const eq = line.indexOf('=');
    if (eq > 0) current[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return blocks;
}

function liveFact(props: Record<string, string>): ServiceFact {
  const fileState = props.UnitFileState ?? '';
  const active = props.ActiveState ?? '';
  return {
    kind: 'service', manager: 'systemd', known: (props.LoadState ?? 'not-found') !== 'not-found',
    enabled: ENABLED_STATES.has(fileState), active: active === 'active' || active === 'reloading', live: true,
    unitFileState: fileState, activeState: active,
  };
}

function offlineFact(state: string): ServiceFact {
  if (state === '-') return { ...unknown('systemd'), live: false };
  return { kind: 'service', manager: 'systemd', known: true, enabled: ENABLED_STATES.has(state), active: false, live: false, unitFileState: state };
}

function supervisorFact(section: string, name: string, field: string | undefined): ServiceFact {
  if (field === '-') return unknown('supervisor');
  const [program, state] = decodeHexField(section, field).trim().split(/\s+/);
  if (program !== name || !SUPERVISOR_STATES.has(state ?? '')) return unknown('supervisor');
  return { kind: 'service', manager: 'supervisor', known: true, enabled: true, active: state === 'RUNNING', live: true, activeState: state! };
}

/**
 * `rv` fields: linked (0|1), `sv status` (hex) or `-`, defined (0|1; absent in older probes). A service
 * not linked is not supervised: it cannot run, so its running state is not live (compared only when linked).
 */
function runitFact(section: string, fields: readonly string[]): ServiceFact {
  const linked = fields[0] === '1';
  const word = fields[1] === '-' ? '' : decodeHexField(section, fields[1]).split(':')[0]!;
  const known = linked || fields[2] === '1' || ['run', 'down', 'finish'].includes(word);
  const fact: ServiceFact = { kind: 'service', manager: 'runit', known, enabled: linked, active: linked && word === 'run', live: linked };
  if (word !== '') fact.activeState = word;
  return fact;
}

function parseSystemd(section: ProbeSection, resources: readonly DesiredResource[], out: Record<string, Fact>): void {
  const mode = single(section.name, section.records, 'sm')?.fields[0];
  const units = systemdUnits(resources);
  if (units.length === 0) return;
  if (mode === 'live') {
    const blocks = systemdBlocks(section.records.filter((r) => r.tag === 'sd'));
    if (blocks.length !== units.length) throw probeOutputError(section.name, `systemctl show gave ${blocks.length} units for ${units.length}`);
    units.forEach((u, k) => { out[resources[u.index]!.id] = liveFact(blocks[k]!); });
  } else if (mode === 'offline') {
    const byIndex = recordsByIndex({ ...section, records: section.records.filter((r) => r.tag === 'so') }, resources.length);
    for (const u of units) {
      const record = single(section.name, byIndex[u.index]!, 'so');
      if (!record) throw probeOutputError(section.name, `no "so" record for ${resources[u.index]!.id}`);
      out[resources[u.index]!.id] = offlineFact(record.fields[0] ?? '-');
    }
  } else if (mode === 'none') {
    for (const u of units) out[resources[u.index]!.id] = { ...unknown('systemd'), live: false };
  } else {
    throw probeOutputError(section.name, `unknown systemd mode ${JSON.stringify(mode)}`);
  }
}

/** Parses the services section into a ServiceFact per service resource. */
export function parseServices(section: ProbeSection, resources: readonly DesiredResource[]): Record<string, Fact> {
  const out: Record<string, Fact> = {};
  const indexed = recordsByIndex({ ...section, records: section.records.filter((r) => r.tag === 'sv' || r.tag === 'rv') }, resources.length);
  parseSystemd(section, resources, out);
  resources.forEach((r, i) => {
    const manager = serviceManager(r);
    const sv = single(section.name, indexed[i]!, 'sv');
    const rv = single(section.name, indexed[i]!, 'rv');
    if (manager === 'supervisor' && sv) out[r.id] = supervisorFact(section.name, serviceName(r), sv.fields[0]);
    else if (manager === 'runit' && rv) out[r.id] = runitFact(section.name, rv.fields);
    else if (manager !== 'systemd') throw probeOutputError(section.name, `no record for ${r.id}`);
    out[r.id] ??= { ...unknown(manager), live: false };
  });
  return out;
}

/** The services domain. */
export const servicesDomain: FactDomain = {
  section: 'services',
  kinds: ['service'],
  fragment: (resources) => servicesFragment(resources),
  parse: parseServices,
};
