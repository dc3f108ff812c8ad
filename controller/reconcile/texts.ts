import { randomBytes } from 'node:crypto';
import type { DesiredState } from '../../manifests/types.js';
import { MASK_AWK, secretPath } from '../facts/files.js';
import type { Plan } from '../plan/types.js';
import { shellQuote as q } from '../transport/shell.js';
import type { Transport } from '../transport/types.js';
import type { FileTexts } from './types.js';

/** Files larger than this are not fetched for diffs (the plan still shows their hashes). */
const MAX_DIFF_BYTES = 256 * 1024;

/**
 * Fetches the current text of every text file the plan changes, in one round trip, for unified
 * diffs. Secret values are replaced by their placeholders on the host (inside awk), so they never
 * leave it. Returns resource id -> texts; files too large or unreadable get no `before`.
 */
export async function fetchFileTexts(desired: DesiredState, plan: Plan, transport: Transport): Promise<Record<string, FileTexts>> {
  const changed = new Set(plan.steps.filter((s) => s.phase === 'regen' && s.kind === 'file' && s.action !== 'none' && s.action !== 'delete' && !s.content?.binary).map((s) => s.resource));
  const files = desired.resources.filter((r) => changed.has(r.id) && r.content?.text !== undefined);
  const texts: Record<string, FileTexts> = {};
  for (const f of files) texts[f.id] = { after: f.content?.text ?? '' };
  const existing = files.filter((f) => plan.steps.some((s) => s.resource === f.id && s.action === 'update'));
  if (existing.length === 0) return texts;
  const token = `drover-${randomBytes(6).toString('hex')}`;
  const lines = [`_MASK=${q(MASK_AWK)}`];
  existing.forEach((f, i) => {
    const path = q(f.key);
    const secrets = f.content?.secrets ?? [];
    const env = secrets.map((name, k) => `_S${k + 1}=${q(secretPath(name, desired.resources))} _N${k + 1}=${q(name)}`).join(' ');
    lines.push(
      `if [ -f ${path} ] && [ "$(wc -c < ${path})" -le ${MAX_DIFF_BYTES} ]; then echo "${token} ${i}";`,
      `  _nl=0; [ "$(tail -c 1 < ${path} | od -An -tx1 | tr -d ' \\n')" = 0a ] && _nl=1`,
      `  _NL=$_nl _SN=${secrets.length} ${env} awk "$_MASK" < ${path} | od -An -tx1 -v | tr -d ' \\n'; echo; fi`,
    );
  });
  const result = await transport.run(lines.join('\n'));
  const out = result.stdout.toString('latin1').split('\n');
  for (let n = 0; n < out.length - 1; n++) {
    const m = out[n]?.match(new RegExp(`^${token} (\\d+)$`));
    const file = m ? existing[Number(m[1])] : undefined;
    const entry = file ? texts[file.id] : undefined;
    if (entry) entry.before = Buffer.from(out[n + 1] ?? '', 'hex').toString('utf8');
  }
  return texts;
}
