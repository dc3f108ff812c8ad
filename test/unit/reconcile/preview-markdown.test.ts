/**
 * The pull-request markdown of a preview, from data fixtures (test/fixtures/preview-markdown/<case>/:
 * report.json in, options.json, expected.md out): the table, the collapsed blocks with their diffs,
 * drift apart from a revision's own changes, invalid revisions, failed previews, and the size cap
 * (diffs cut first, then whole blocks and rows, with a note naming what was left out).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MARKDOWN_LIMIT, GITHUB_COMMENT_LIMIT, renderPreviewMarkdown } from '../../../controller/reconcile/preview/markdown.js';
import type { PreviewReport } from '../../../controller/reconcile/preview/types.js';

const ROOT = join(import.meta.dirname, '../../fixtures/preview-markdown');
const CASES = readdirSync(ROOT).sort();

function load(name: string): { report: PreviewReport; options: { maxChars?: number }; expected: string } {
  const read = (file: string): string => readFileSync(join(ROOT, name, file), 'utf8');
  return { report: JSON.parse(read('report.json')) as PreviewReport, options: JSON.parse(read('options.json')) as { maxChars?: number }, expected: read('expected.md') };
}

describe('renderPreviewMarkdown', () => {
  it.each(CASES)('%s', (name) => {
    const { report, options, expected } = load(name);
    const markdown = renderPreviewMarkdown(report, options);
    expect(markdown).toBe(expected);
    expect(markdown.length).toBeLessThanOrEqual(options.maxChars ?? DEFAULT_MARKDOWN_LIMIT);
  });

  it('keeps under the cap whatever the input, and says what it cut', () => {
    const { report } = load('cut');
    const many: PreviewReport = { ...report, hosts: Array.from({ length: 400 }, (_, i) => ({ ...report.hosts[i % 8]!, host: `app${i}` })) };
    const markdown = renderPreviewMarkdown(many);
    expect(markdown.length).toBeLessThanOrEqual(DEFAULT_MARKDOWN_LIMIT);
    expect(DEFAULT_MARKDOWN_LIMIT).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(markdown).toMatch(/> \*\*Cut to fit a comment\*\* .*the diffs of app\d+/);
    for (const cap of [2_000, 10_000, 30_000]) expect(renderPreviewMarkdown(many, { maxChars: cap }).length).toBeLessThanOrEqual(cap);
  });

  it('lets no host name, reason or diff line close a code block or start HTML', () => {
    const { report } = load('with-base');
    const markdown = renderPreviewMarkdown(report);
    expect(markdown).toContain('````diff\n--- /srv/ctl/managed.txt (host)');
    expect(markdown).toContain('+hello | world ``` <b>\n````');
    const outsideCode = markdown.replace(/^(`{3,})diff\n[\s\S]*?\n\1$/gm, '');
    expect(outsideCode).not.toMatch(/<(?!\/?(details|summary)>)[a-z]/);
  });
});
