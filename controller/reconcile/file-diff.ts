/**
 * The unified diff of one planned file step, masked the way `drover plan` masks it: secret
 * placeholders shown as `(secret)`, a changed block that could show an old secret in clear replaced
 * by `(secret changed)`, binary files summarised, diffs past MAX_DIFF_EDIT_LINES not computed, long
 * diffs cut. Plain lines (no colour, no indent), for the controller's API and status page; the
 * parity test (test/unit/reconcile/file-diff.test.ts) holds it to the CLI's rendering line for line.
 */
import { createTwoFilesPatch } from 'diff';
import type { FileTexts, PlanStep } from './types.js';

const SECRET_PLACEHOLDER = /\{\{drover-secret:[A-Za-z0-9_.-]+\}\}/g;

/** Past this many differing lines (the edit distance) no diff is computed. */
export const MAX_DIFF_EDIT_LINES = 300;

/**
 * The diff lines of `step` (a regen step of a file), or [] when there is nothing to show (no
 * content change, texts not fetched, only whitespace-free metadata changed).
 */
export function fileDiffLines(step: PlanStep, texts: FileTexts | undefined, options: { maxLines?: number } = {}): string[] {
  const content = step.content;
  if (step.phase !== 'regen' || !content || step.action === 'delete' || content.before === content.after) return [];
  if (content.binary) return [`(binary content: sha256 ${content.before?.slice(0, 8) ?? 'none'} -> ${content.after.slice(0, 8)})`];
  if (!texts) return [];
  // An existing file whose text was not fetched (too large, unreadable) must not diff as if it were empty.
  if (texts.before === undefined && content.before !== undefined) return ['(no diff: the current content was not fetched)'];
  const path = step.resource.replace(/^file:/, '');
  const patch = createTwoFilesPatch(`${path} (host)`, `${path} (desired)`, mask(texts.before ?? ''), mask(texts.after), undefined, undefined,
    { context: 3, maxEditLength: MAX_DIFF_EDIT_LINES });
  if (patch === undefined) return [`(diff not shown: more than ${MAX_DIFF_EDIT_LINES} lines differ)`];
  const lines = patch.split('\n').slice(1).filter((l) => l !== '' && !l.startsWith('\\ No newline'));
  const header = lines.slice(0, 2);
  const body = content.secrets.length > 0 ? hideSecretChanges(lines.slice(2)) : lines.slice(2);
  if (!body.some((l) => /^[+-]/.test(l))) return content.secrets.length > 0 ? ['(secret changed)'] : [];
  const max = options.maxLines ?? 60;
  return [...header, ...body.slice(0, max), ...(body.length > max ? [`... ${body.length - max} more diff lines hidden`] : [])];
}

function mask(text: string): string {
  return text.replace(SECRET_PLACEHOLDER, '(secret)');
}

/** A changed block whose new side gets a secret while its old side has no placeholder becomes `(secret changed)`. */
function hideSecretChanges(hunks: string[]): string[] {
  const out: string[] = [];
  let block: string[] = [];
  const flush = (): void => {
    const risky = block.some((l) => l.startsWith('+') && l.includes('(secret)')) && block.some((l) => l.startsWith('-') && !l.includes('(secret)'));
    out.push(...(risky ? ['(secret changed)'] : block));
    block = [];
  };
  for (const line of hunks) {
    if (/^[+-]/.test(line)) {
      block.push(line);
      continue;
    }
    flush();
    out.push(line);
  }
  flush();
  return out;
}
