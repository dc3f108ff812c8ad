import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { requirePrometheus, runPromtool } from '../../support/promtool.js';

const RULES = fileURLToPath(new URL('../../../deploy/prometheus/drover-alerts.yaml', import.meta.url));
const RULE_TESTS = fileURLToPath(new URL('../../../deploy/prometheus/tests/drover-alerts.test.yaml', import.meta.url));

interface AlertRule { alert: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }

describe('deploy/prometheus/drover-alerts.yaml', () => {
  beforeAll(() => requirePrometheus());

  it('passes `promtool check rules`', async () => {
    const result = await runPromtool(['check', 'rules', RULES]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/SUCCESS: 15 rules found/);
    expect(result.code).toBe(0);
  });

  it('passes its `promtool test rules` unit tests', async () => {
    const result = await runPromtool(['test', 'rules', RULE_TESTS]);
    expect(result.stdout + result.stderr).toMatch(/SUCCESS/);
    expect(result.stdout + result.stderr).not.toMatch(/FAILED/);
    expect(result.code).toBe(0);
  });

  it('gives every alert a severity, a summary and a runbook line, and a unit test that fires it', () => {
    const rules = (parse(readFileSync(RULES, 'utf8')) as { groups: { rules: AlertRule[] }[] }).groups.flatMap((g) => g.rules);
    const tests = readFileSync(RULE_TESTS, 'utf8');
    expect(rules.map((r) => r.alert).sort()).toEqual([
      'DroverCommitStatusFailing', 'DroverControllerAbsent', 'DroverControllerDown', 'DroverHostFailed', 'DroverHostLockedOut', 'DroverHostNotReconciled',
      'DroverHostOutOfSync', 'DroverHostRebootRequired', 'DroverHostUnreachable', 'DroverManifestsInvalid', 'DroverNotificationsFailing', 'DroverResourceConflict', 'DroverRolloutHalted',
      'DroverSourceFetchFailing', 'DroverStateNotWritable',
    ]);
    for (const rule of rules) {
      expect(['critical', 'warning'], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toMatch(/\S/);
      expect(rule.annotations?.runbook, rule.alert).toMatch(/\S/);
      expect(rule.annotations?.runbook, rule.alert).not.toContain('\n');
      expect(tests, rule.alert).toMatch(new RegExp(`alertname: ${rule.alert}\\n\\s+exp_alerts:\\n\\s+- exp_labels`));
    }
  });
});
