/**
 * Reads state files back, refusing damaged ones with an error that names the file, the position or
 * field, and what to do. The checks are structural (the fields the daemon relies on), not a full schema:
 * these files are written only by state.ts.
 */
import { DroverError } from '../../../manifests/errors.js';
import { HOST_STATUSES, type ControllerRecord, type HostRecord } from './records.js';

type Json = Record<string, unknown>;

const FIX = 'restore it from a backup or delete it (a deleted host record is rebuilt by re-observing the host)';

/** Parses `hosts/<name>.json`; throws E_STATE_CORRUPT naming `file` when it is not a HostRecord of `host`. */
export function parseHostRecord(text: string, file: string, host: string): HostRecord {
  const data = parseJson(text, file);
  const check = checker(file);
  check(data.host === host, 'host', `must be "${host}" (the file name)`);
  check(HOST_STATUSES.includes(data.status as never), 'status', `must be one of ${HOST_STATUSES.join(', ')}`);
  check(typeof data.reason === 'string', 'reason', 'must be a string');
  check(typeof data.suspended === 'boolean', 'suspended', 'must be true or false');
  check(Number.isInteger(data.consecutiveFailures) && (data.consecutiveFailures as number) >= 0, 'consecutiveFailures', 'must be a whole number >= 0');
  for (const key of ['lastAttemptedRevision', 'lastAppliedRevision']) check(optional(data[key], 'string'), key, 'must be a string');
  for (const key of ['lastAttemptAt', 'lastSuccessAt', 'removedAt']) check(optional(data[key], 'number'), key, 'must be a number (epoch ms)');
  check(Array.isArray(data.history), 'history', 'must be a list of runs');
  (data.history as unknown[]).forEach((run, i) => checkRun(run, `history[${i}]`, check));
  if (data.running !== undefined) checkRun(data.running, 'running', check);
  if (data.conflicts !== undefined) check(Array.isArray(data.conflicts), 'conflicts', 'must be a list of resources in Conflict');
  ((data.conflicts ?? []) as unknown[]).forEach((c, i) => check(isObject(c) && typeof c.resource === 'string' && typeof c.fingerprint === 'string', `conflicts[${i}]`, 'must name its resource and fingerprint'));
  check(data.repairs === undefined || isObject(data.repairs), 'repairs', 'must be an object (resource -> repairs)');
  return data as unknown as HostRecord;
}

/** Parses `controller.json`; throws E_STATE_CORRUPT naming `file` when it is not a ControllerRecord. */
export function parseControllerRecord(text: string, file: string): ControllerRecord {
  const data = parseJson(text, file);
  const check = checker(file);
  check(Number.isInteger(data.consecutiveFetchFailures), 'consecutiveFetchFailures', 'must be a whole number');
  for (const key of ['newestRevision', 'lastGoodRevision']) check(optional(data[key], 'string'), key, 'must be a string');
  for (const key of ['lastFetchAt', 'lastFetchSuccessAt']) check(optional(data[key], 'number'), key, 'must be a number (epoch ms)');
  return data as unknown as ControllerRecord;
}

function checkRun(run: unknown, path: string, check: ReturnType<typeof checker>): void {
  check(isObject(run), path, 'must be an object');
  const r = run as Json;
  check(typeof r.id === 'string', `${path}.id`, 'must be a string');
  check(typeof r.revision === 'string', `${path}.revision`, 'must be a string');
  check(typeof r.startedAt === 'number', `${path}.startedAt`, 'must be a number (epoch ms)');
  check(Array.isArray(r.changedSteps), `${path}.changedSteps`, 'must be a list');
}

function parseJson(text: string, file: string): Json {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const where = positionOf(text, (error as Error).message);
    throw corrupt(`${file}${where}: not valid JSON (${text.trim() === '' ? 'empty file' : (error as Error).message})`);
  }
  if (!isObject(data)) throw corrupt(`${file}: must hold a JSON object`);
  return data;
}

/** `:line:col` of the "at position N" V8 reports, or '' (e.g. for a truncated file). */
function positionOf(text: string, message: string): string {
  const match = /position (\d+)/.exec(message);
  if (!match) return '';
  const before = text.slice(0, Number(match[1])).split('\n');
  return `:${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
}

function checker(file: string) {
  return (ok: boolean, field: string, what: string): void => {
    if (!ok) throw corrupt(`${file}: field "${field}" ${what}`);
  };
}

function corrupt(message: string): DroverError {
  return new DroverError('E_STATE_CORRUPT', `damaged state file ${message}; ${FIX}`);
}

function optional(value: unknown, type: 'string' | 'number'): boolean {
  return value === undefined || typeof value === type;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
