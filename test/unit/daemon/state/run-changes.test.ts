import { describe, expect, it } from 'vitest';
import { changedResources, notConverged } from '../../../../controller/daemon/state/run-changes.js';
import type { PlanStep, RunHostResult } from '../../../../controller/reconcile/types.js';

const step = (s: Partial<PlanStep> & Pick<PlanStep, 'name' | 'phase' | 'resource' | 'action'>): PlanStep => ({ group: 'setup_web1', kind: 'file', reasons: [], notifies: [], ...s });
const SHA = { before: '1'.repeat(64), after: '2'.repeat(64), secrets: [], binary: false };

const plan: RunHostResult['plan'] = {
  host: 'web1', inSync: false, summary: { create: 0, update: 2, delete: 0, unchanged: 0, mayChange: 0 },
  steps: [
    step({ name: 'backup_srv_motd', phase: 'backup', resource: 'file:/srv/motd', action: 'update' }),
    step({ name: 'regen_srv_motd', phase: 'regen', resource: 'file:/srv/motd', action: 'update', reasons: ['content sha256 11111111 -> 22222222'], content: SHA }),
    step({ name: 'install_service_nginx', phase: 'install', resource: 'service:nginx', kind: 'service', action: 'update', reasons: ['service nginx inactive -> active'] }),
    step({ name: 'regen_srv_held', phase: 'regen', resource: 'file:/srv/held', action: 'update', report: true }),
    step({ name: 'restart_nginx', phase: 'handler', resource: 'service:nginx', kind: 'service', action: 'update' }),
  ],
};
const applied = (names: string[]): RunHostResult['apply'] => ({
  host: 'web1', ok: true, restored: [], notRestored: [], publicKeys: [], roundTrips: 1, durationMs: 1,
  steps: names.map((name) => ({ name, resource: '', status: 'changed' as const, durationMs: 1 })),
});

describe('what a run changed, resource by resource', () => {
  it('keeps the work steps the apply changed, with their reasons and the masked diff of a file, not backups, handlers or held steps', () => {
    const result = { plan, apply: applied(['backup_srv_motd', 'regen_srv_motd', 'install_service_nginx', 'restart_nginx', 'regen_srv_held']), texts: { 'file:/srv/motd': { before: 'by a cron job\n', after: 'hello\n' } } };
    expect(changedResources(result)).toEqual([
      {
        resource: 'file:/srv/motd', steps: ['regen_srv_motd'], reasons: ['content sha256 11111111 -> 22222222'],
        diff: ['--- /srv/motd (host)', '+++ /srv/motd (desired)', '@@ -1,1 +1,1 @@', '-by a cron job', '+hello'],
      },
      { resource: 'service:nginx', steps: ['install_service_nginx'], reasons: ['service nginx inactive -> active'] },
    ]);
  });

  it('names the changed resources the verify plan still changes (undone right after the apply)', () => {
    const changed = changedResources({ plan, apply: applied(['regen_srv_motd', 'install_service_nginx']) });
    const verify = { ...plan, steps: plan.steps.map((s) => (s.resource === 'service:nginx' ? { ...s, action: 'none' as const } : s)) };
    expect(notConverged({ verify }, changed)).toEqual(['file:/srv/motd']);
    expect(notConverged({}, changed)).toEqual([]);
  });
});
