/**
 * Parity: the controller's file diffs (reconcile/file-diff.ts) are line for line what `drover plan`
 * prints (cli/render-plan.ts, without colour and indent) for the same plans and texts: secret
 * masking, binary summaries, unfetched texts, the edit cap and cut diffs.
 */
import { describe, expect, it } from 'vitest';
import { renderHostPlan } from '../../../controller/cli/render-plan.js';
import { planHost } from '../../../controller/plan/plan-host.js';
import { fileDiffLines, MAX_DIFF_EDIT_LINES } from '../../../controller/reconcile/file-diff.js';
import type { FileTexts } from '../../../controller/reconcile/types.js';
import { loadPlanCase } from '../plan/plan-fixtures.js';

const NGINX_BEFORE = 'user www-data;\nworker_processes auto;\n\nevents {\n  worker_connections 768;\n}\n';
const NGINX_AFTER = 'user www-data;\nworker_processes 4;\n\nevents {\n  worker_connections 1024;\n}\n';
const numbered = (tag: string | number, count: number): string => Array.from({ length: count }, (_, i) => `${tag} ${i}`).join('\n') + '\n';
const settings = 'file:/srv/django/settings_local.py';

const CASES: [name: string, fixture: string, texts: Record<string, FileTexts>, maxLines?: number][] = [
  ['a plain diff', 'file-change', { 'file:/etc/nginx/nginx.conf': { before: NGINX_BEFORE, after: NGINX_AFTER } }],
  ['a changed secret line', 'file-with-secret', { [settings]: { before: "DEBUG = True\nSECRET_KEY = 'old-s3cret'\n", after: "DEBUG = False\nSECRET_KEY = '{{drover-secret:django_key}}'\n" } }],
  ['only a secret changed', 'file-with-secret', { [settings]: { before: "SECRET_KEY = 'old-s3cret'\n", after: "SECRET_KEY = '{{drover-secret:django_key}}'\n" } }],
  ['placeholders on both sides', 'file-with-secret', { [settings]: { before: "URL = 'pg://{{drover-secret:db}}@db1'\n", after: "URL = 'pg://{{drover-secret:db}}@db2'\nKEY = '{{drover-secret:k}}'\n" } }],
  ['binary, created, deleted and attribute-only files', 'file-variants', {
    'file:/etc/nginx/mime.types': { before: 'types {\n  text/html html;\n}\n', after: 'types {\n  text/html html htm;\n}\n' },
    'file:/etc/app/app.env': { after: 'PORT=8000\n' },
  }],
  ['a text that was not fetched', 'file-change', { 'file:/etc/nginx/nginx.conf': { after: NGINX_AFTER } }],
  ['more differing lines than the cap', 'file-change', { 'file:/etc/nginx/nginx.conf': { before: numbered('old', MAX_DIFF_EDIT_LINES + 1), after: numbered('new', MAX_DIFF_EDIT_LINES + 1) } }],
  ['a long diff cut', 'file-change', { 'file:/etc/nginx/nginx.conf': { before: numbered('a', 40), after: numbered('b', 40) } }, 6],
];

describe('fileDiffLines matches drover plan', () => {
  it.each(CASES)('%s', (_name, fixture, texts, maxLines) => {
    const c = loadPlanCase(fixture);
    const plan = planHost(c.desired, c.observed);
    const printed = renderHostPlan({ host: 'web1', address: '10.0.0.1:22', plan, texts }, { color: false, ...(maxLines ? { maxDiffLines: maxLines } : {}) })
      .split('\n').filter((l) => l.startsWith(' '.repeat(10))).map((l) => l.slice(10));
    const ours = plan.steps.flatMap((step) => fileDiffLines(step, texts[step.resource], maxLines ? { maxLines } : {}));
    expect(printed.length).toBeGreaterThan(0);
    expect(ours).toEqual(printed);
    expect(ours.join('\n')).not.toMatch(/drover-secret|old-s3cret/);
  });
});
