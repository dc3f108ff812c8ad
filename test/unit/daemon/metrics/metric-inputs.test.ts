import { describe, expect, it } from 'vitest';
import type { ApplyResult } from '../../../../controller/apply/types.js';
import { changedResources } from '../../../../controller/daemon/metrics/metric-inputs.js';
import type { Plan, PlanStep } from '../../../../controller/plan/types.js';

const step = (name: string, phase: PlanStep['phase'], kind: PlanStep['kind'], action: PlanStep['action'], mayChange?: string): PlanStep => ({
  name, phase, kind, action, group: 'setup_web', resource: `${kind}:${name}`, reasons: [], notifies: [], ...(mayChange ? { mayChange } : {}),
});

const plan: Plan = {
  host: 'web1', inSync: false, summary: { create: 2, update: 1, delete: 1, unchanged: 1, mayChange: 1 },
  steps: [
    step('install_user_app', 'install', 'user', 'create'),
    step('backup_nginx_conf', 'backup', 'file', 'update'),
    step('regen_nginx_conf', 'regen', 'file', 'update'),
    step('aptget_nginx', 'install', 'package', 'create'),
    step('migrate', 'install', 'command', 'none', 'runs unless the guard holds on the host'),
    step('regen_motd', 'regen', 'file', 'none'),
    step('clean_old_conf', 'clean', 'file', 'delete'),
    step('restart_nginx', 'handler', 'service', 'update'),
    step('test_web_http', 'test', 'test', 'none'),
  ],
};

const apply = (statuses: Record<string, 'changed' | 'unchanged' | 'failed' | 'restored' | 'skipped'>): ApplyResult => ({
  host: 'web1', ok: true, restored: [], notRestored: [], publicKeys: [], roundTrips: 1, durationMs: 10,
  steps: Object.entries(statuses).map(([name, status]) => ({ name, resource: name, status, durationMs: 1 })),
});

describe('changedResources', () => {
  it('counts the work steps that changed, by kind and action, and nothing else', () => {
    const result = apply({
      install_user_app: 'changed', backup_nginx_conf: 'changed', regen_nginx_conf: 'changed', aptget_nginx: 'failed',
      migrate: 'changed', regen_motd: 'unchanged', clean_old_conf: 'changed', restart_nginx: 'changed', test_web_http: 'changed',
    });
    expect(changedResources(plan, result)).toEqual([
      { kind: 'user', action: 'create' },
      { kind: 'file', action: 'update' },
      { kind: 'command', action: 'update' },
      { kind: 'file', action: 'delete' },
    ]);
  });

  it('counts nothing for a restored step, a dry run or a run without apply', () => {
    expect(changedResources(plan, apply({ regen_nginx_conf: 'restored', install_user_app: 'skipped' }))).toEqual([]);
    expect(changedResources(plan, undefined)).toEqual([]);
    expect(changedResources(undefined, apply({ regen_nginx_conf: 'changed' }))).toEqual([]);
  });
});
