/** How apply results read (issue 11 items 15 and 28): a failed host says why; a failed test shows its exit code and output. */
import { describe, expect, it } from 'vitest';
import { renderApplyResult, renderApplySummary } from '../../../controller/cli/render-apply.js';
import { stepFailure, toHostFailure } from '../../../controller/reconcile/failure.js';
import type { ApplyResult, HostResult, Plan, StepResult } from '../../../controller/reconcile/types.js';
import { DroverError } from '../../../manifests/errors.js';

const plan = (inSync: boolean): Plan => ({ host: 'web1', steps: [], summary: { create: 0, update: inSync ? 0 : 1, delete: 0, unchanged: 1, mayChange: 0 }, inSync });
const apply = (steps: StepResult[], ok: boolean): ApplyResult => ({ host: 'web1', ok, steps, restored: [], notRestored: [], publicKeys: [], roundTrips: 1, durationMs: 5 });
const result = (inSync: boolean, a: ApplyResult): HostResult => ({
  host: 'web1', address: '10.0.0.1:22', outcome: a.ok ? (inSync ? 'in-sync' : 'applied') : 'failed', plan: plan(inSync), apply: a, durationMs: 5, phaseDurationsMs: {},
  ...(a.ok ? {} : { error: stepFailure(a, { checksOnly: inSync }) }),
});

describe('renderApplyResult', () => {
  it('shows a failed test with its exit code and output', () => {
    const failed = apply([
      { name: 'test_web_config', resource: 'test:web/config', status: 'failed', exitCode: 3, stderr: 'checking config\nsyntax error at line 4', durationMs: 2 },
    ], false);
    expect(renderApplyResult(result(true, failed))).toMatchInlineSnapshot(`
      "✗ web1 (10.0.0.1:22): failed: test_web_config failed (exit 3): syntax error at line 4
          failed    test_web_config (exit 3)
              | checking config
              | syntax error at line 4"
    `);
  });

  it('shows passed tests of an in-sync host', () => {
    const passed = apply([{ name: 'test_web_http', resource: 'test:web/http', status: 'unchanged', durationMs: 2 }], true);
    expect(renderApplyResult(result(true, passed))).toMatchInlineSnapshot(`
      "✓ web1 (10.0.0.1:22): in sync, 1 test passed
          passed    test_web_http"
    `);
  });

  it('says why a host failed, in the section and the summary table', () => {
    const failed = apply([
      { name: 'regen_app_conf', resource: 'file:/srv/app.conf', status: 'changed', durationMs: 1 },
      { name: 'install_dir_data', resource: 'directory:/data', status: 'failed', exitCode: 1, stderr: "mkdir: cannot create directory '/data': Read-only file system", durationMs: 1 },
    ], false);
    const r = result(false, failed);
    expect(renderApplyResult(r).split('\n')[0]).toBe("✗ web1 (10.0.0.1:22): failed: install_dir_data failed (exit 1): mkdir: cannot create directory '/data': Read-only file system");
    expect(renderApplySummary([r])).toContain('install_dir_data failed (exit 1)');
  });

  it('calls a host whose key changed refused, not unreachable', () => {
    const error = toHostFailure(new DroverError('E_HOST_KEY_MISMATCH', 'web1: presented a different host key than line 3'));
    expect(error.unreachable).toBe(false);
    const r: HostResult = { host: 'web1', address: '10.0.0.1:22', outcome: 'failed', error, durationMs: 1, phaseDurationsMs: {} };
    expect(renderApplyResult(r)).toBe('! web1 (10.0.0.1:22): refused: web1: presented a different host key than line 3');
    expect(renderApplySummary([r])).toMatch(/web1\s+refused\s/);
  });

  it('still calls a host that does not answer unreachable', () => {
    const error = toHostFailure(new DroverError('E_CONNECT_REFUSED', 'web1: connection refused'));
    expect(renderApplyResult({ host: 'web1', address: '10.0.0.1:22', outcome: 'unreachable', error, durationMs: 1, phaseDurationsMs: {} })).toBe('! web1 (10.0.0.1:22): unreachable: web1: connection refused');
  });
});
