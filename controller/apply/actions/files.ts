/**
 * Actions of path kinds: file, directory, symlink, line. Every write is atomic (temp file in the
 * target's directory, mode/owner set before content, rename) and journalled first (`_undo`), so a
 * failure later in the run puts the old file back.
 */
import type { DesiredResource } from '../../../manifests/types.js';
import { secretPath } from '../../facts/files.js';
import type { PlanStep } from '../../plan/types.js';
import type { ActionScript } from '../types.js';
import { fail, field, lines, modeWord, nameWord, pathOf, q, type ActionContext } from './common.js';

const SYSTEMD_DIRS = ['/etc/systemd/', '/lib/systemd/', '/usr/lib/systemd/', '/run/systemd/'];

/** A marker telling later service steps to run `systemctl daemon-reload` first (a unit file changed). */
export function daemonReloadMark(path: string): string | undefined {
  return SYSTEMD_DIRS.some((d) => path.startsWith(d)) ? ': > "$W/daemon-reload"' : undefined;
}

/** The bytes of a file resource's desired content. */
function contentBytes(resource: DesiredResource): Buffer {
  const content = resource.content;
  if (content === undefined) throw new Error(`${resource.id}: no rendered content`);
  return content.base64 !== undefined ? Buffer.from(content.base64, 'base64') : Buffer.from(content.text ?? '', 'utf8');
}

/**
 * `_put` arguments writing `bytes` to `path`: staged content, mode, owner, group, and for content with
 * secret placeholders the trailing-newline flag and (name, secret file) pairs substituted on the host.
 */
export function putCommand(args: { path: string; bytes: Buffer; mode: string; owner: string; group: string; secrets: readonly string[]; context: ActionContext }): string {
  const { path, bytes, secrets, context } = args;
  const words = ['_put', q(path), context.stage(bytes), args.mode, args.owner, args.group];
  if (secrets.length > 0) {
    words.push(bytes.length > 0 && bytes[bytes.length - 1] === 0x0a ? '1' : '0');
    for (const name of secrets) words.push(q(name), q(secretPath(name, context.desired.resources)));
  }
  return words.join(' ');
}

/**
 * Guard of the `absent` actions: something is at the path. A step planned as "may change" (nothing there
 * when observed, but a package of this run may create it) reports unchanged when nothing came.
 */
function presentGuard(path: string): string {
  return `[ -e ${q(path)} ] || [ -L ${q(path)} ]`;
}

/** file: write content atomically (substituting secrets on the host), fix attributes only, or remove. */
export function fileAction(resource: DesiredResource<'file'>, step: PlanStep, context: ActionContext): ActionScript {
  const path = pathOf(resource);
  if (resource.spec.state === 'absent') return { script: `_rmfile ${q(path)}`, guard: presentGuard(path) };
  const mode = modeWord(resource);
  const owner = nameWord(resource, 'owner');
  const group = nameWord(resource, 'group');
  const fact = context.observed.resources[resource.id];
  const attrsOnly = fact?.kind === 'file' && fact.type === 'file' && step.content?.before !== undefined && step.content.before === step.content.after;
  if (attrsOnly) return { script: `_attrs ${q(path)} ${mode} ${owner} ${group}` };
  const put = putCommand({ path, bytes: contentBytes(resource), mode, owner, group, secrets: resource.content?.secrets ?? [], context });
  return { script: lines(put, daemonReloadMark(path)) };
}

/** directory: mkdir -p, then mode and owner (recursively when declared); absent: rmdir (only an empty directory). */
export function directoryAction(resource: DesiredResource<'directory'>): ActionScript {
  const p = q(pathOf(resource));
  if (resource.spec.state === 'absent') {
    return { script: lines(
      `if [ -L ${p} ] || [ ! -e ${p} ]; then exit 0; fi`,
      `_isdir ${p} || ${fail(`${pathOf(resource)} is not a directory`)}`,
      `rmdir -- ${p} || ${fail(`${pathOf(resource)} is not empty; drover removes only empty directories`)}`,
    ), guard: presentGuard(pathOf(resource)) };
  }
  const r = resource.spec.recursive === true ? ' -R' : '';
  const mode = field(resource, 'mode') === undefined ? undefined : modeWord(resource);
  const owner = field(resource, 'owner');
  const group = field(resource, 'group');
  const chown = owner !== undefined ? `chown -h${r} -- ${q(group === undefined ? owner : `${owner}:${group}`)} ${p}`
    : group !== undefined ? `chgrp -h${r} -- ${q(group)} ${p}` : undefined;
  return { script: lines(
    `if [ -e ${p} ] || [ -L ${p} ]; then _isdir ${p} || ${fail(`${pathOf(resource)} exists and is not a directory`)}; fi`,
    `mkdir -p -- ${p}`,
    chown,
    mode !== undefined && `chmod${r} ${mode} ${p}`,
  ) };
}

/** symlink: a new link under a temp name in the same directory, renamed over the path (`ln -sfn`, atomically). */
export function symlinkAction(resource: DesiredResource<'symlink'>): ActionScript {
  const path = pathOf(resource);
  const p = q(path);
  if (resource.spec.state === 'absent') {
    return { script: lines(
      `if [ -L ${p} ]; then _undo ${p}; rm -f -- ${p}; elif [ -e ${p} ]; then ${fail(`${path} is not a symlink; not removed`)}; fi`,
    ), guard: presentGuard(path) };
  }
  const target = field(resource, 'target') ?? '';
  return { script: lines(
    `_parent ${p}; _isdir "$_d" || ${fail(`parent directory of ${path} does not exist`)}`,
    `if _isdir ${p}; then ${fail(`${path} is a directory`)}; fi`,
    `_undo ${p}`,
    '_TMP="$_d/.drover-tmp.l$$"; rm -f -- "$_TMP"',
    `ln -s -- ${q(target)} "$_TMP"`,
    `_owner "$_TMP" ${nameWord(resource, 'owner')} ''`,
    `mv -Tf -- "$_TMP" ${p}`,
    '_TMP=',
  ) };
}

/**
 * awk editing a file for a line resource (values from the environment, no escape processing):
 * present: the first line equal to _L or matching _R becomes _L, later ones are dropped, _L is
 * appended when none was found; absent: lines matching _R (or equal to _L without a regexp) are dropped.
 */
export const LINE_AWK = [
  'BEGIN { l = ENVIRON["_L"]; r = ENVIRON["_R"]; a = ENVIRON["_A"] == "absent"; done = 0 }',
  '{ if (r != "") { m = ($0 ~ r) } else { m = 0 } e = ($0 == l) }',
  'a { if ((r != "" && m) || (r == "" && e)) next; print; next }',
  'm || e { if (!done) { print l; done = 1 } next }',
  '{ print }',
  'END { if (!a && !done) print l }',
].join('\n');

/** line: awk into a temp file in the same directory (keeping the file's mode and owner), then rename. */
export function lineAction(resource: DesiredResource<'line'>): ActionScript {
  const path = field(resource, 'path') ?? resource.key.split(':')[0]!;
  const p = q(path);
  const absent = resource.spec.state === 'absent';
  const env = `_A=${absent ? 'absent' : 'present'} _L=${q(field(resource, 'line') ?? '')} _R=${q(field(resource, 'regexp') ?? '')}`;
  const missing = absent ? 'exit 0' : resource.spec.create === true ? ':' : fail(`${path} does not exist (set create: true to create it)`);
  return { script: lines(
    `if [ ! -e ${p} ]; then ${missing}; fi`,
    `_parent ${p}; _isdir "$_d" || ${fail(`parent directory of ${path} does not exist`)}`,
    `if [ -e ${p} ] && ! _reg ${p}; then ${fail(`${path} is not a regular file`)}; fi`,
    `_m=; _o=; _g=; _keepattrs ${p}; _undo ${p}; _mktmp ${p}`,
    'chmod "$_m" "$_TMP"; _owner "$_TMP" "$_o" "$_g"',
    `if [ -e ${p} ]; then ${env} awk ${q(LINE_AWK)} < ${p} > "$_TMP"; else printf '%s\\n' ${q(field(resource, 'line') ?? '')} > "$_TMP"; fi`,
    `mv -f -- "$_TMP" ${p}; _TMP=`,
  ) };
}
