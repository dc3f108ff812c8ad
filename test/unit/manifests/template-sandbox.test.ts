import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TemplateFailure, createTemplateEngine } from '../../../manifests/templates.js';

// Known ways out of a nunjucks template into JavaScript: constructors reached from functions
// (globals, context functions, methods), strings, lists, dicts, the context itself, filters and
// tests through a prototype. Each one, if it worked, would set globalThis.__droverEscaped.
const payload = '"globalThis.__droverEscaped = true; return process.pid"';
const escapes = [
  `{{ range.constructor(${payload})() }}`,
  `{{ cycler.constructor(${payload})() }}`,
  `{{ joiner.constructor(${payload})() }}`,
  `{{ cycler("a").next.constructor(${payload})() }}`,
  `{{ joiner().constructor(${payload})() }}`,
  `{{ resolve.constructor(${payload})() }}`,
  `{{ secret.constructor(${payload})() }}`,
  `{{ resolve.call.constructor(${payload})() }}`,
  `{{ "".constructor.constructor(${payload})() }}`,
  `{{ "x".sub.constructor(${payload})() }}`,
  `{{ [].constructor.constructor(${payload})() }}`,
  `{{ [].map.constructor(${payload})() }}`,
  `{{ {}.constructor.constructor(${payload})() }}`,
  `{{ constructor.constructor(${payload})() }}`,
  `{{ toString.constructor(${payload})() }}`,
  `{{ host.constructor.constructor(${payload})() }}`,
  `{{ host["constructor"]["constructor"](${payload})() }}`,
  `{{ host.__proto__.constructor.constructor(${payload})() }}`,
  `{{ host["__proto" ~ "__"]["const" ~ "ructor"]["constructor"](${payload})() }}`,
  `{{ data.items.constructor(${payload})() }}`,
  `{{ (range(3) | first).constructor.constructor(${payload})() }}`,
  `{{ (range(3) | list).constructor.constructor(${payload})() }}`,
  `{{ ("x" | constructor).constructor.constructor(${payload})() }}`,
  `{% if "x" is constructor %}{{ 1 }}{% endif %}`,
  `{% set f = range %}{{ f.constructor(${payload})() }}`,
  `{% macro m() %}x{% endmacro %}{{ m.constructor(${payload})() }}`,
  `{{ (host | dictsort | first).constructor.constructor(${payload})() }}`,
  `{{ ([{ k: "__proto__" }] | groupby("k")).constructor.constructor(${payload})() }}`,
  `{{ r/x/.constructor.constructor(${payload})() }}`,
  `{{ host.name.__defineGetter__ }}`,
  '{{ process.pid }}',
  '{{ globalThis.process.pid }}',
  '{{ require("child_process") }}',
];

const root = mkdtempSync(join(tmpdir(), 'drover-sandbox-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function context(engine: ReturnType<typeof createTemplateEngine>): Record<string, unknown> {
  const host = { name: 'web1.example.org', roles: ['a', 'b'] };
  return { host, data: { list: ['x', 'y'] }, resolve: (n: string) => n, secret: (n: unknown) => engine.secret(n), params: {} };
}

describe('templates cannot reach JavaScript (constructors, prototypes, process, globals)', () => {
  for (const escape of escapes) {
    it(escape, () => {
      const engine = createTemplateEngine(root);
      let output: unknown;
      let failure: unknown;
      try {
        output = engine.renderText(escape, context(engine)).text;
      } catch (error) {
        failure = error;
      }
      expect(globalThis).not.toHaveProperty('__droverEscaped');
      expect(failure, `rendered ${JSON.stringify(output)}`).toBeInstanceOf(TemplateFailure);
      expect(String(output ?? '')).not.toContain(String(process.pid));
    });
  }

  it('renders the data methods and globals templates need', () => {
    const engine = createTemplateEngine(root);
    const text = engine.renderText(
      '{{ host.name.split(".")[0] | upper }} {{ host.roles.join(",") }} {{ host.name.length }} {{ data.list | join("+") }} '
      + '{% set c = cycler("odd", "even") %}{{ c.next() }}{{ c.next() }} {% set j = joiner("|") %}{% for r in host.roles %}{{ j() }}{{ r }}{% endfor %} '
      + '{{ range(2) | list | length }} {{ "a-b".replace("-", "_") }} {{ host["name"].startsWith("web") }} {{ (2.5).toFixed(1) }}',
      context(engine),
    ).text;
    expect(text).toBe('WEB1 a,b 16 x+y oddeven a|b 2 a_b true 2.5');
  });

  it('tells a template author what was refused', () => {
    const engine = createTemplateEngine(root);
    expect(() => engine.renderText('line 1\n{{ range.constructor("return 1")() }}', context(engine))).toThrowError(
      /templates may not read "constructor" of a function: they see only data, params, host, resolve\(\) and secret\(\)/,
    );
  });
});
