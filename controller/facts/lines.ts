/**
 * Line facts (`line` resources in unmanaged files): one awk pass per file counting lines equal to
 * `line` and lines matching `regexp` (an ERE in the host's awk, run with LC_ALL=C). The values
 * reach awk through the environment, so awk applies no escape processing to them.
 */
import type { DesiredResource } from '../../manifests/types.js';
import {
  isDigits, probeOutputError, q, recordsByIndex, required, specString,
  type FactDomain, type ProbeSection,
} from './common.js';
import type { Fact, LineFact } from './types.js';

const COUNT_AWK = 'BEGIN { l = ENVIRON["_L"]; r = ENVIRON["_R"]; p = 0; m = 0 } '
  + '(ENVIRON["_LS"] == 1 && $0 == l) { p++ } (r != "" && $0 ~ r) { m++ } END { print p, m }';

/** The lines fragment: `n I 1 <equal> <matching>`, `n I 1 e` (awk failed: bad regexp) or `n I 0` (no file). */
export function linesFragment(resources: readonly DesiredResource[]): string {
  const lines = [`_LAWK=${q(COUNT_AWK)}`];
  resources.forEach((r, i) => {
    const path = q(specString(r, 'path') ?? r.key.split(':')[0]!);
    const line = specString(r, 'line');
    const env = `_LS=${line === undefined ? 0 : 1} _L=${q(line ?? '')} _R=${q(specString(r, 'regexp') ?? '')}`;
    lines.push(
      `if [ -f ${path} ]; then if _o=$(${env} awk "$_LAWK" < ${path} 2>/dev/null); then echo "$_T n ${i} 1 $_o"; `
      + `else echo "$_T n ${i} 1 e"; fi; else echo "$_T n ${i} 0"; fi`,
    );
  });
  return lines.join('\n');
}

function lineFact(section: string, fields: readonly string[], hasLine: boolean): LineFact {
  if (fields[0] === '0' && fields.length === 1) return { kind: 'line', fileExists: false, present: false, matches: 0, lineCount: 0 };
  if (fields[0] === '1' && fields[1] === 'e' && fields.length === 2) {
    return { kind: 'line', fileExists: true, present: false, matches: 0, lineCount: 0, regexpError: true };
  }
  const [flag, equal, matching] = fields;
  if (flag !== '1' || fields.length !== 3 || !isDigits(equal) || !isDigits(matching)) {
    throw probeOutputError(section, `malformed line record: ${fields.join(' ')}`);
  }
  const lineCount = Number(equal);
  return { kind: 'line', fileExists: true, present: hasLine && lineCount > 0, matches: Number(matching), lineCount };
}

/** Parses the lines section into a LineFact per line resource. */
export function parseLines(section: ProbeSection, resources: readonly DesiredResource[]): Record<string, Fact> {
  const byIndex = recordsByIndex(section, resources.length);
  const out: Record<string, Fact> = {};
  resources.forEach((r, i) => {
    const record = required(section.name, byIndex[i]!, 'n', r.id);
    out[r.id] = lineFact(section.name, record.fields, specString(r, 'line') !== undefined);
  });
  return out;
}

/** The lines domain. */
export const linesDomain: FactDomain = {
  section: 'lines',
  kinds: ['line'],
  fragment: (resources) => linesFragment(resources),
  parse: parseLines,
};
