import { randomBytes } from 'node:crypto';
import type { DesiredState } from '../../manifests/types.js';
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
 * Returns resource id -> texts; files too large or unreadable get no `before`.
 */
export async function fetchFileTexts(desired: DesiredState, plan: Plan, transport: Transport): Promise<Record<string, FileTexts>> {
  const changed = new Set(plan.steps.filter((s) => s.phase === 'regen' && s.kind === 'file' && s.action !== 'none' && s.action !== 'delete' && !s.content?.binary).map((s) => s.resource));
  const files = desired.resources.filter((r) => changed.has(r.id) && r.content?.text !== undefined);
  const texts: Record<string, FileTexts> = {};
  for (const f of files) texts[f.id] = { after: f.content?.text ?? '' };
  const existing = files.filter((f) => plan.steps.some((s) => s.resource === f.id && s.action === 'update'));
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
  const result = await transport.run(lines.join('\n'));
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
