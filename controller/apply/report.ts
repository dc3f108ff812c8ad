/**
 * Reads the host script's records back into step results (pure). Records are lines
 * `<token> <tag> <index> <fields...>`: `b I <ns>` (began), `e I <rc> <ns>` (ended), `o I x<hex>`
 * (output tail of a failed step), `r I x<hex path>` / `rf I x<hex path>` (restored / could not restore
 * a file step I changed), `k I x<hex>` (a public key), `done`.
 */
import { DroverError, scrubSecrets } from '../../manifests/errors.js';
import { decodeHexField } from '../facts/common.js';
import type { ScriptEntry } from './script.js';
import type { StepResult, StepStatus } from './types.js';
import { UNCHANGED_EXIT } from './sh-lib.js';

/** What the records say, per entry index, and the files restored. */
export interface ParsedReport {
  steps: StepResult[];
  restored: string[];
  notRestored: string[];
  /** Public keys reported by ssh_key steps, by entry index. */
  publicKeys: Map<number, string>;
}

interface Raw {
  began?: bigint;
  ended?: { rc: number; at: bigint };
  output?: string;
  restored: boolean;
}

function reportError(message: string): DroverError {
  return new DroverError('E_APPLY_OUTPUT', `apply report: ${message}`);
}

function index(field: string | undefined, count: number): number {
  if (field === undefined || !/^\d+$/.test(field) || Number(field) >= count) throw reportError(`bad step index ${JSON.stringify(field)}`);
  return Number(field);
}

/** A passed test is `unchanged` (it checked, it changed nothing); a failed one `failed`. */
function statusOf(entry: ScriptEntry, raw: Raw, failedBefore: boolean): StepStatus {
  const rc = raw.ended?.rc;
  if (rc !== undefined && rc !== 0 && rc !== UNCHANGED_EXIT) return 'failed';
  if (raw.restored) return 'restored';
  if (rc !== undefined) return rc === 0 && entry.role !== 'test' ? 'changed' : 'unchanged';
  if (raw.began) return 'failed';
  if (!entry.runs) return failedBefore && entry.role === 'test' ? 'skipped' : 'unchanged';
  return 'skipped';
}

/**
 * Turns the script's stdout into results, one per entry in order. Throws DroverError E_APPLY_OUTPUT
 * (internal) when records are malformed or the script did not finish.
 */
export function parseReport(stdout: string, options: { token: string; entries: readonly ScriptEntry[] }): ParsedReport {
  const { entries } = options;
  const raws: Raw[] = entries.map(() => ({ restored: false }));
  const out: ParsedReport = { steps: [], restored: [], notRestored: [], publicKeys: new Map() };
  let done = false;
  for (const line of stdout.split('\n')) {
    if (!line.startsWith(`${options.token} `)) continue;
    const [tag, ...fields] = line.slice(options.token.length + 1).split(' ');
    if (tag === 'done') { done = true; continue; }
    const i = index(fields[0], entries.length);
    const raw = raws[i]!;
    switch (tag) {
      case 'b': raw.began = BigInt(fields[1] ?? '0'); break;
      case 'e': raw.ended = { rc: Number(fields[1]), at: BigInt(fields[2] ?? '0') }; break;
      case 'o': raw.output = scrubSecrets(decodeHexField('apply', fields[1])).trim(); break;
      case 'r': raw.restored = true; out.restored.push(decodeHexField('apply', fields[1])); break;
      case 'rf': out.notRestored.push(decodeHexField('apply', fields[1])); break;
      case 'k': out.publicKeys.set(i, decodeHexField('apply', fields[1]).trim()); break;
      default: throw reportError(`unknown record "${tag}"`);
    }
  }
  if (!done) throw reportError('the host script did not finish');
  let failed = false;
  entries.forEach((entry, i) => {
    const raw = raws[i]!;
    const status = statusOf(entry, raw, failed);
    const result: StepResult = { name: entry.name, resource: entry.resource, status, durationMs: durationOf(raw) };
    if (status === 'failed') {
      failed = true;
      result.stderr = raw.output ?? '';
      if (raw.ended !== undefined) result.exitCode = raw.ended.rc;
    }
    out.steps.push(result);
  });
  return out;
}

function durationOf(raw: Raw): number {
  if (raw.began === undefined || raw.ended === undefined) return 0;
  return Math.max(0, Math.round(Number(raw.ended.at - raw.began) / 1e5) / 10);
}
