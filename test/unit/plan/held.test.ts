import { describe, expect, it } from 'vitest';
import { HELD_REASON, planHost } from '../../../controller/plan/plan-host.js';
import { loadPlanCase } from './plan-fixtures.js';

// Resources in Conflict (self-heal paused) are planned held: listed with why, never run, notifying nothing.
describe('planHost with held resources', () => {
  const c = loadPlanCase('notify-handlers');

  it('lists a held resource\'s change as reported only, without its backup, and its handlers are not notified by it', () => {
    const held = new Set(['file:/etc/nginx/nginx.conf', 'file:/etc/nginx/conf.d/app.conf']);
    const plan = planHost(c.desired, c.observed, { held });
    const byName = new Map(plan.steps.map((s) => [s.name, s]));
    expect(byName.has('backup_etc_nginx_nginx_conf')).toBe(false);
    expect(byName.get('regen_etc_nginx_nginx_conf')).toMatchObject({ action: 'update', report: true, reasons: ['content sha256 11111111 -> 22222222', HELD_REASON] });
    expect(byName.get('regen_etc_nginx_conf_d_app_conf')).toMatchObject({ report: true });
    expect(byName.has('restart_nginx')).toBe(false);
    expect(byName.has('reload_php8_2_fpm')).toBe(false);
    // The rest of the host is planned as without the hold.
    expect(byName.get('regen_etc_redis_redis_conf')).toMatchObject({ action: 'update' });
    expect(byName.get('regen_etc_redis_redis_conf')?.report).toBeUndefined();
    expect(plan.summary).toEqual({ create: 0, update: 3, delete: 0, unchanged: 3, mayChange: 0, reported: 2 });
    expect(plan.inSync).toBe(false);
  });

  it('is in sync when every resource that differs is held', () => {
    const all = planHost(c.desired, c.observed);
    const differing = new Set(all.steps.filter((s) => s.phase !== 'handler' && s.phase !== 'backup' && s.action !== 'none').map((s) => s.resource));
    const plan = planHost(c.desired, c.observed, { held: differing });
    expect(plan.inSync).toBe(true);
    expect(plan.steps.filter((s) => s.report !== true && s.action !== 'none')).toEqual([]);
  });

  it('is the plan without a hold when nothing held differs', () => {
    expect(planHost(c.desired, c.observed, { held: new Set(['file:/etc/nginx/mime.types']) })).toEqual(planHost(c.desired, c.observed));
  });
});
