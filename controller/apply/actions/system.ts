/**
 * Actions of system kinds: packages (one package-manager call per run for installs, one for removals),
 * cron entries (/etc/cron.d), sysctl keys (live value + persistence file) and git checkouts.
 */
import type { DesiredResource } from '../../../manifests/types.js';
import { cronPath } from '../../facts/cron.js';
import { gitSshEnv, writeKnownHosts } from '../../facts/git.js';
import { procSysPath, sysctlPersistPath } from '../../facts/sysctl.js';
import type { PackageManager } from '../../facts/types.js';
import { cronFileContent, normaliseSysctl, sysctlFileContent } from '../../plan/managed-files.js';
import type { PlanStep } from '../../plan/types.js';
import { UNCHANGED_EXIT } from '../sh-lib.js';
import type { ActionScript } from '../types.js';
import { factOf, fail, invalid, lines, pathOf, q, type ActionContext } from './common.js';
import { putCommand } from './files.js';

const PACKAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9.+_:@-]*$/;
const VERSION = /^[A-Za-z0-9.+~:_*-]+$/;

/** The package-manager argument installing one package at its pin. */
function packageWord(resource: DesiredResource<'package'>, manager: PackageManager): string {
  const spec = resource.spec;
  if (!PACKAGE_NAME.test(spec.name)) throw invalid(resource, `package name ${JSON.stringify(spec.name)} is not valid`);
  if (spec.version === undefined) return spec.name;
  if (!VERSION.test(spec.version)) throw invalid(resource, `version ${JSON.stringify(spec.version)} is not valid`);
  if (manager === 'apt') return `${spec.name}=${spec.version.includes('-') || spec.version.includes('*') ? spec.version : `${spec.version}*`}`;
  if (manager === 'apk') return `${spec.name}=${spec.version}`;
  return `${spec.name}-${spec.version}`;
}

const APT = [
  'export DEBIAN_FRONTEND=noninteractive',
  "_apt() { apt-get -q -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \"$@\"; }",
].join('\n');

/** Lists are missing or all older than a day. */
const APT_STALE = `[ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mtime -1 2>/dev/null | head -n 1)" ]`;
/** apt-get output meaning "update the lists and try again". */
const APT_RETRY = "'Unable to locate package|has no installation candidate|Failed to fetch|Unable to fetch|was not found|404'";

/**
 * Installs `resources` with ONE package-manager call. apt: `apt-get update` first only when the lists are
 * missing or older than a day, and once more when the install fails for want of fresh lists; no
 * recommends; DEBIAN_FRONTEND=noninteractive; config files kept. dnf/yum: `-y install`. apk: `add`.
 */
export function installPackages(resources: readonly DesiredResource<'package'>[], manager: PackageManager): ActionScript {
  const words = resources.map((r) => q(packageWord(r, manager))).join(' ');
  switch (manager) {
    case 'apt': {
      const install = `_apt install --no-install-recommends --allow-downgrades ${words}`;
      return { script: lines(
        APT,
        `if ${APT_STALE}; then _apt update; fi`,
        `if ! ${install} > "$W/pkg" 2>&1; then cat "$W/pkg"`,
        `  if grep -qE ${APT_RETRY} "$W/pkg"; then _apt update; ${install}; else exit 1; fi`,
        'fi',
      ) };
    }
    case 'dnf': case 'yum': return { script: `${manager} -y -q install ${words}` };
    case 'apk': return { script: `apk add -q ${words} || { apk update -q && apk add -q ${words}; }` };
    default: return { script: fail('no supported package manager found on the host (apt, dnf, yum, apk)') };
  }
}

/** Removes `resources` with ONE package-manager call (apt-get remove: configuration files are kept). */
export function removePackages(resources: readonly DesiredResource<'package'>[], manager: PackageManager): ActionScript {
  const names = resources.map((r) => {
    const name = r.spec.name;
    if (!PACKAGE_NAME.test(name)) throw invalid(r, `package name ${JSON.stringify(name)} is not valid`);
    return q(name);
  }).join(' ');
  switch (manager) {
    case 'apt': return { script: lines(APT, `_apt remove ${names}`) };
    case 'dnf': case 'yum': return { script: `${manager} -y -q remove ${names}` };
    case 'apk': return { script: `apk del -q ${names}` };
    default: return { script: fail('no supported package manager found on the host (apt, dnf, yum, apk)') };
  }
}

/** cron: /etc/cron.d/drover-<name> (where the probe looks), 0644 root:root, written atomically; absent: removed. */
export function cronAction(resource: DesiredResource<'cron'>, _step: PlanStep, context: ActionContext): ActionScript {
  const spec = resource.spec;
  const path = cronPath(spec.name);
  if (spec.state === 'absent') return { script: `_rmfile ${q(path)}` };
  return { script: putCommand({ path, bytes: Buffer.from(cronFileContent(spec)), mode: '0644', owner: 'root', group: 'root', secrets: [], context }) };
}

/** sysctl: the live value (`sysctl -w`, else a write to /proc/sys) when it differs, and the persistence file. */
export function sysctlAction(resource: DesiredResource<'sysctl'>, _step: PlanStep, context: ActionContext): ActionScript {
  const spec = resource.spec;
  const proc = procSysPath(spec.key);
  if (proc === undefined) throw invalid(resource, `sysctl key ${JSON.stringify(spec.key)} is not valid`);
  const fact = factOf(context, resource, 'sysctl');
  const value = String(spec.value);
  const live = fact?.value === undefined || normaliseSysctl(fact.value) !== normaliseSysctl(value);
  const persist = spec.persist !== false;
  return { script: lines(
    live && `if command -v sysctl >/dev/null 2>&1; then sysctl -q -w ${q(`${spec.key}=${value}`)} >/dev/null; else printf '%s\\n' ${q(value)} > ${q(proc)}; fi`,
    persist && 'mkdir -p /etc/sysctl.d',
    persist && putCommand({
      path: sysctlPersistPath(spec.key), bytes: Buffer.from(sysctlFileContent(spec.key, value)), mode: '0644', owner: 'root', group: 'root', secrets: [], context,
    }),
  ) };
}

/**
 * git: clone when the checkout is missing (into an absent or empty directory), then as the resource's user:
 * set origin, fetch the ref, check it out (a branch as a local branch, anything else detached) discarding
 * local changes in tracked files. Unchanged (exit 100) when HEAD did not move and nothing was discarded.
 * Over ssh, `knownHosts` are the only host keys accepted; without them a new key is accepted, a changed one never.
 */
export function gitAction(resource: DesiredResource<'git'>): ActionScript {
  const spec = resource.spec;
  const path = pathOf(resource);
  const p = q(path);
  const ref = spec.ref ?? 'HEAD';
  const depth = spec.depth === undefined ? '' : ` --depth ${Number(spec.depth)}`;
  const ssh = { identityFile: spec.identityFile, knownHosts: spec.knownHosts };
  const sshEnv = gitSshEnv(ssh, '_TMP', 'accept-new');
  // safe.directory through the environment reaches the git processes git spawns too (local upload-pack).
  const env = ['GIT_TERMINAL_PROMPT=0', 'GIT_CONFIG_COUNT=1', 'GIT_CONFIG_KEY_0=safe.directory', "GIT_CONFIG_VALUE_0='*'", ...(sshEnv ? [sshEnv] : [])];
  const git = `_asuser ${q(spec.user ?? '')} env ${env.join(' ')} git`;
  const sha = /^[0-9a-f]{40}$/.test(ref);
  return { script: lines(
    // The declared host keys, in a file the step's EXIT trap removes (_TMP).
    spec.knownHosts !== undefined && `${writeKnownHosts(spec.knownHosts, '_TMP')} || exit 1`,
    `_g() { ${git} "$@"; }`,
    `if [ ! -e ${p}/.git ]; then`,
    `  if [ -e ${p} ] && [ -n "$(ls -A ${p} 2>/dev/null)" ]; then ${fail(`${path} exists and is not a git checkout`)}; fi`,
    `  _g clone -q${sha ? '' : depth} -- ${q(spec.repo)} ${p}; _b=none; _c=0`,
    'else',
    `  _b=$(_g -C ${p} rev-parse -q --verify HEAD 2>/dev/null || echo none)`,
    `  _c=$(_g -C ${p} status --porcelain --untracked-files=no | head -c 1 | wc -c)`,
    `  _g -C ${p} remote set-url origin ${q(spec.repo)}`,
    'fi',
    sha
      ? `_g -C ${p} cat-file -e ${ref}^{commit} 2>/dev/null || _g -C ${p} fetch -q origin ${ref}\n_g -C ${p} checkout -q -f --detach ${ref}`
      : lines(
        `_g -C ${p} fetch -q --force${depth} origin ${q(ref)}`,
        `if [ ${q(ref)} != HEAD ] && _g -C ${p} show-ref -q --verify ${q(`refs/remotes/origin/${ref}`)}; then _g -C ${p} checkout -q -f -B ${q(ref)} FETCH_HEAD; else _g -C ${p} checkout -q -f --detach FETCH_HEAD; fi`,
      ),
    `_g -C ${p} reset -q --hard`,
    `_a=$(_g -C ${p} rev-parse HEAD)`,
    `if [ "$_a" = "$_b" ] && [ "$_c" = 0 ]; then exit ${UNCHANGED_EXIT}; fi`,
  ) };
}
