/**
 * Rendering keeps to its budget (manifests/template-budget.ts): a template that loops, recurses, builds or
 * prints too much fails at its file:line naming the budget, instead of blocking the controller. Small
 * limits here, so each case is quick; drover's own are RENDER_LIMITS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RenderLimits } from '../../../manifests/template-budget.js';
import { TemplateFailure, createTemplateEngine } from '../../../manifests/templates.js';

const LIMITS: RenderLimits = { fileMs: 300, fileBytes: 10_000, loopIterations: 1_000, repositoryMs: 600, repositoryBytes: 25_000 };
const root = mkdtempSync(join(tmpdir(), 'drover-budget-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const engine = () => createTemplateEngine(root, LIMITS);
const context = { host: { name: 'web1' }, data: {}, params: {}, resolve: (n: string) => n, secret: () => '' };

function failure(text: string, e = engine()): TemplateFailure {
  try {
    e.renderText(text, context);
  } catch (error) {
    if (error instanceof TemplateFailure) return error;
    throw error;
  }
  throw new Error(`rendered: ${text}`);
}

describe('template budgets', () => {
  it.each([
    ['nested loops', 'line 1\n{% for a in range(100) %}{% for b in range(100) %}x{% endfor %}{% endfor %}', /more than 1,000 loop iterations; loop over less/, 2],
    ['a range longer than the loop budget', '{% for a in range(5000) %}x{% endfor %}', /range\(\) of 5,000 numbers \(at most 1,000\)/, 1],
    ['a macro that calls itself twice', '{% macro f(n) %}{% if n > 0 %}{{ f(n-1) }}{{ f(n-1) }}{% endif %}{% endmacro %}\n{{ f(40) }}', /more than 0.3 s of rendering; loop or recurse less/, undefined],
    ['a value doubled until it is huge', '{% set s = "xxxxxxxx" %}{% for i in range(20) %}{% set s = s ~ s %}{% endfor %}', /a value of more than/, 1],
    ['a filter asked for a huge width', '{{ "x" | center(100000000) }}', /a filter asked for 100,000,000 characters/, 1],
    ['printing too much', '{% for i in range(900) %}{{ "xxxxxxxxxxxxxxxxxxxx" }}{% endfor %}', /more than 10,000 bytes of output; render less/, 1],
  ])('%s fails at its line, naming the budget', (_name, text, message, line) => {
    const error = failure(text);
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/^the template went over its budget: /);
    if (line !== undefined) expect(error.line).toBe(line);
  });

  it('renders what stays under it, and a failed render leaves nothing behind for the next', () => {
    const e = engine();
    failure('{% for a in range(5000) %}x{% endfor %}', e);
    expect(e.renderText('{% for a in range(500) %}{{ a % 2 }}{% endfor %}', context).text).toHaveLength(500);
  });

  it('counts every render of a repository against one output budget', () => {
    const e = engine();
    const nineK = '{% for i in range(450) %}{{ "xxxxxxxxxxxxxxxxxxxx" }}{% endfor %}';
    expect(e.renderText(nineK, context).text).toHaveLength(9_000);
    expect(e.renderText(nineK, context).text).toHaveLength(9_000);
    expect(failure(nineK, e).message).toMatch(/of output for the whole repository/);
    expect(engine().renderText(nineK, context).text).toHaveLength(9_000);
  });
});
