/**
 * Assembles one POSIX sh probe script from a host's resources: the helper library, the platform
 * fragment, then one framed section per fact domain that has resources. Pure.
 *
 * The whole script is the body of a function called with stdin from /dev/null: the shell reads
 * the script (sent on its stdin to `sh -s`) completely before running it, so no probed command
 * can swallow the rest of the script, and guard commands get an empty stdin.
 */
import { DroverError } from '../../manifests/errors.js';
import type { DesiredResource } from '../../manifests/types.js';
import { BOOT_SECTION, bootFragment } from './boot.js';
import { commandsDomain } from './commands.js';
import { SH_LIBRARY, type FactDomain, type FragmentContext } from './common.js';
import { cronDomain } from './cron.js';
import { DROVER_STATE_SECTION, droverStateFragment } from './drover-state.js';
import { filesDomain } from './files.js';
import { gitDomain } from './git.js';
import { linesDomain } from './lines.js';
import { packagesDomain } from './packages.js';
import { platformFragment, PLATFORM_SECTION } from './platform.js';
import { secretsDomain } from './secrets.js';
import { servicesDomain } from './services.js';
import { sysctlDomain } from './sysctl.js';
import { usersDomain } from './users.js';

/** Every fact domain, in probe order; together they cover every ResourceKind exactly once. */
export const FACT_DOMAINS: readonly FactDomain[] = [
  packagesDomain, usersDomain, filesDomain, linesDomain, servicesDomain,
  gitDomain, secretsDomain, cronDomain, sysctlDomain, commandsDomain,
];

/** Default cap, in seconds, on each `unless` / `onlyIf` guard run by the probe. */
export const DEFAULT_GUARD_TIMEOUT_SEC = 30;

/** Options of buildProbe. */
export interface ProbeOptions {
  /** Random per-run token starting every record line: letters and digits, at least 16. */
  token: string;
  /** Cap on each guard command; default DEFAULT_GUARD_TIMEOUT_SEC. */
  guardTimeoutSec?: number;
  /** Also read drover's own state (pending notifications, inventory) and the boot facts: `drover` and `boot` sections after the others. */
  droverState?: boolean;
  /** The inventory file read with droverState (default the unnamed repository's; see inventoryPath). */
  inventoryPath?: string;
}

/** The resources of `all` that `domain` observes, in declaration order. */
export function domainResources(domain: FactDomain, all: readonly DesiredResource[]): DesiredResource[] {
  return all.filter((r) => domain.kinds.includes(r.kind));
}

function framed(name: string, group: string): string {
  return `echo "$_T begin ${name}"\n${group}\necho "$_T end ${name} $?"`;
}

/** A resource domain's section: a sub-shell (its fragment sets positional parameters and variables, runs guards; a fatal shell error ends only the section, reported by its status). */
function section(name: string, body: string): string {
  return framed(name, `(\n${body}\n:\n)`);
}

/** The fixed platform and drover fragments (builtins and plain tools, no fatal errors) run in the probe's own shell: a fork less each. */
function inShellSection(name: string, body: string): string {
  return framed(name, `{\n${body}\n:\n}`);
}

/**
 * Builds the probe script for `resources`. Throws DroverError E_PROBE_TOKEN (internal) for a bad
 * token; values that cannot be quoted (NUL characters) throw from shellQuote.
 */
export function buildProbe(resources: readonly DesiredResource[], options: ProbeOptions): string {
  if (!/^[A-Za-z0-9]{16,}$/.test(options.token)) {
    throw new DroverError('E_PROBE_TOKEN', 'probe token must be at least 16 letters or digits');
  }
  const context: FragmentContext = { all: resources, guardTimeoutSec: options.guardTimeoutSec ?? DEFAULT_GUARD_TIMEOUT_SEC };
  const sections = [inShellSection(PLATFORM_SECTION, platformFragment())];
  for (const domain of FACT_DOMAINS) {
    const own = domainResources(domain, resources);
    if (own.length > 0) sections.push(section(domain.section, domain.fragment(own, context)));
  }
  if (options.droverState) {
    sections.push(inShellSection(DROVER_STATE_SECTION, droverStateFragment(options.inventoryPath)));
    sections.push(inShellSection(BOOT_SECTION, bootFragment()));
  }
  return [
    '_main() {',
    `_T=${options.token}`,
    'LC_ALL=C; export LC_ALL',
    'PATH="$PATH:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"; export PATH',
    SH_LIBRARY.trimEnd(),
    ...sections,
    'echo "$_T done"',
    '}',
    '_main </dev/null',
    'exit 0',
    '',
  ].join('\n');
}
