import { randomBytes } from 'node:crypto';
import type { DesiredResource, DesiredState } from '../../manifests/types.js';
import type { FileFact, ObservedState } from '../facts/types.js';
import { MASK_AWK, heldSecretsShell } from '../facts/files.js';
import type { Plan } from '../plan/types.js';
import { shellQuote as q } from '../transport/shell.js';
import type { Transport } from '../transport/types.js';
import { maskRepositorySecrets } from './mask.js';
import type { FileTexts } from './types.js';

/** Files larger than this are not fetched for diffs (the plan still shows their hashes). */
const MAX_DIFF_BYTES = 256 * 1024;

/**
 * Fetches the current text of every text file the plan changes, in one round trip, for unified
 * diffs. Every secret the host holds (each declared secret resource, and every file under
 * /var/lib/drover/secrets/, declared or not any more) is replaced by its placeholder on the host,
 * inside awk, so no value leaves it: an old file may hold a secret the new content no longer uses.
 * `known` gives old texts already known (textsFromBase): those are not fetched, and when every one is
 * known nothing is sent (`transport` is not even asked for). Returns resource id -> texts; files too
 * large or unreadable get no `before`.
 */
export async function fetchFileTexts(desired: DesiredState, plan: Plan, transport: () => Promise<Transport>, known: Readonly<Record<string, string>> = {}): Promise<Record<string, FileTexts>> {
  const files = changedTextFiles(desired, plan);
  const texts: Record<string, FileTexts> = {};
  for (const f of files) texts[f.id] = { after: f.content?.text ?? '', ...(known[f.id] === undefined ? {} : { before: known[f.id] }) };
  const existing = files.filter((f) => known[f.id] === undefined && updated(plan, f.id));
  if (existing.length === 0) return texts;
  const token = `drover-${randomBytes(6).toString('hex')}`;
  const lines = [`_MASK=${q(MASK_AWK)}`, ...heldSecretsShell(desired.resources)];
  existing.forEach((f, i) => {
    const path = q(f.key);
    lines.push(
      `if [ -f ${path} ] && [ "$(wc -c < ${path})" -le ${MAX_DIFF_BYTES} ]; then echo "${token} ${i}";`,
      `  _nl=0; [ "$(tail -c 1 < ${path} | od -An -tx1 | tr -d ' \\n')" = 0a ] && _nl=1`,
      `  _NL=$_nl awk "$_MASK" < ${path} | od -An -tx1 -v | tr -d ' \\n'; echo; fi`,
    );
  });
  const result = await (await transport()).run(lines.join('\n'));
  const out = result.stdout.toString('latin1').split('\n');
  for (let n = 0; n < out.length - 1; n++) {
    const m = out[n]?.match(new RegExp(`^${token} (\\d+)$`));
    const file = m ? existing[Number(m[1])] : undefined;
    const entry = file ? texts[file.id] : undefined;
    // Generated secrets were masked on the host; the repository's are known here (and may sit in a file by hand).
    if (entry) entry.before = maskRepositorySecrets(Buffer.from(out[n + 1] ?? '', 'hex').toString('utf8'), desired.repositorySecrets);
  }
  return texts;
}

/**
 * The old texts `base` (the desired state the host was converged to) gives for the text files `plan`
 * updates: a file whose observed content hash is still the one `base` wanted holds `base`'s text
 * (secret values are placeholders in both, as on the host's side of fetchFileTexts); the repository
 * secrets of both revisions are masked. Resource id -> text. Pure.
 */
export function textsFromBase(desired: DesiredState, plan: Plan, observed: ObservedState, base: DesiredState): Record<string, string> {
  const before = new Map(base.resources.map((r) => [r.id, r.content]));
  const out: Record<string, string> = {};
  for (const file of changedTextFiles(desired, plan)) {
    const was = before.get(file.id);
    const fact = observed.resources[file.id] as FileFact | undefined;
    if (!updated(plan, file.id) || was?.text === undefined || fact?.sha256 === undefined || fact.sha256 !== was.sha256) continue;
    out[file.id] = maskRepositorySecrets(maskRepositorySecrets(was.text, base.repositorySecrets), desired.repositorySecrets);
  }
  return out;
}

/** The text files whose content the plan writes (created or updated). */
function changedTextFiles(desired: DesiredState, plan: Plan): DesiredResource[] {
  const changed = new Set(plan.steps.filter((s) => s.phase === 'regen' && s.kind === 'file' && s.action !== 'none' && s.action !== 'delete' && !s.content?.binary).map((s) => s.resource));
  return desired.resources.filter((r) => changed.has(r.id) && r.content?.text !== undefined);
}

function updated(plan: Plan, id: string): boolean {
  return plan.steps.some((s) => s.resource === id && s.action === 'update');
}
