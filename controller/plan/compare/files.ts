import type { DesiredResource } from '../../../manifests/types.js';
import type { DirectoryFact, FileFact, LineFact, SymlinkFact } from '../../facts/types.js';
import { UNCHANGED, type Verdict } from '../types.js';
import { parentOf } from '../../facts/files.js';
import { attributeReasons, normaliseMode, short, updateIf, wrongType } from './common.js';

/**
 * Compares a file resource: content sha256, mode, owner, group. A file whose parent directory is missing
 * (and not made by an earlier step in `pathsTouched`) says that apply creates it.
 */
export function compareFile(resource: DesiredResource<'file'>, fact: FileFact, pathsTouched: ReadonlySet<string>): Verdict {
  const spec = resource.spec;
  if (spec.state === 'absent') {
    return fact.exists ? { action: 'delete', reasons: [`${fact.type} present -> absent`] } : UNCHANGED;
  }
  const want = resource.content?.sha256;
  if (!fact.exists) {
    const attrs = [spec.mode && `mode ${normaliseMode(spec.mode)}`, spec.owner && `owner ${spec.owner}`].filter(Boolean);
    const parent = parentOf(spec.path);
    const parentReason = fact.parentMissing && !pathsTouched.has(parent) ? [`parent directory ${parent} absent -> created (mode 0755, like mkdir -p)`] : [];
    return { action: 'create', reasons: [`file absent -> content sha256 ${short(want)}${attrs.length ? `, ${attrs.join(', ')}` : ''}`, ...parentReason] };
  }
  if (fact.type !== 'file') return { action: 'update', reasons: [wrongType(fact, 'file')] };
  const reasons = fact.sha256 === want ? [] : [`content sha256 ${short(fact.sha256)} -> ${short(want)}`];
  return updateIf([...reasons, ...attributeReasons(spec, fact)]);
}

/** Compares a directory resource: exists, mode, owner, group (and entries below when recursive). */
export function compareDirectory(resource: DesiredResource<'directory'>, fact: DirectoryFact): Verdict {
  const spec = resource.spec;
  if (spec.state === 'absent') {
    return fact.exists ? { action: 'delete', reasons: [`${fact.type} present -> absent`] } : UNCHANGED;
  }
  if (!fact.exists) return { action: 'create', reasons: [`directory absent -> present${spec.mode ? `, mode ${normaliseMode(spec.mode)}` : ''}`] };
  if (fact.type !== 'directory') return { action: 'update', reasons: [wrongType(fact, 'directory')] };
  const reasons = attributeReasons(spec, fact);
  if (fact.recursiveDrift) reasons.push('entries below differ in mode or owner (recursive)');
  return updateIf(reasons);
}

/** Compares a symlink resource: the stored target. */
export function compareSymlink(resource: DesiredResource<'symlink'>, fact: SymlinkFact): Verdict {
  const spec = resource.spec;
  if (spec.state === 'absent') {
    return fact.exists ? { action: 'delete', reasons: [`${fact.type} present -> absent`] } : UNCHANGED;
  }
  if (!fact.exists) return { action: 'create', reasons: [`symlink absent -> ${spec.target}`] };
  if (fact.type !== 'symlink') return { action: 'update', reasons: [wrongType(fact, `symlink to ${spec.target}`)] };
  const reasons = fact.target === spec.target ? [] : [`target ${fact.target} -> ${spec.target}`];
  if (spec.owner !== undefined && fact.owner !== spec.owner) reasons.push(`owner ${fact.owner ?? 'none'} -> ${spec.owner}`);
  return updateIf(reasons);
}

/** Compares a line resource: the line present (replacing regexp matches) or absent. */
export function compareLine(resource: DesiredResource<'line'>, fact: LineFact): Verdict {
  const spec = resource.spec;
  if (fact.regexpError) return { action: 'update', reasons: [`regexp ${spec.regexp} is not valid for the host's awk`] };
  if (spec.state === 'absent') {
    const n = spec.regexp !== undefined ? fact.matches : fact.lineCount;
    return n > 0 ? { action: 'delete', reasons: [`${n} matching line${n === 1 ? '' : 's'} -> removed`] } : UNCHANGED;
  }
  if (!fact.fileExists) {
    return { action: 'create', reasons: [spec.create ? `file ${spec.path} absent -> created with the line` : `file ${spec.path} does not exist (set create: true to create it)`] };
  }
  if (fact.present && (spec.regexp === undefined || fact.matches <= 1) && fact.lineCount <= 1) return UNCHANGED;
  if (fact.present) return { action: 'update', reasons: [`line present ${fact.lineCount === 1 ? 'once' : `${fact.lineCount} times`}, regexp matches ${fact.matches} lines -> exactly once`] };
  return { action: 'update', reasons: [fact.matches > 0 ? `${fact.matches} line(s) matching /${spec.regexp}/ -> replaced by the line` : 'line absent -> appended'] };
}
