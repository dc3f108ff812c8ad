import { describe, expect, it } from 'vitest';
import { buildHostScript } from '../../../controller/apply/script.js';
import { parseReport } from '../../../controller/apply/report.js';
import { buildTar } from '../../../controller/apply/tar.js';
import type { ObservedState } from '../../../controller/facts/types.js';
import type { PlanStep } from '../../../controller/plan/types.js';
import type { DesiredState } from '../../../manifests/types.js';
import { desiredState, resource } from '../../support/desired.js';

const TOKEN = 'droverunit0123456789abcdef';
const hex = (s: string): string => `x${Buffer.from(s).toString('hex')}`;

function observed(extra: Partial<ObservedState> = {}): ObservedState {
  return { host: 'web1', observedAt: '', resources: {}, platform: { id: 'debian', family: 'debian', version: '12', packageManager: 'apt', initSystem: 'systemd' }, ...extra };
}

function step(name: string, resourceId: string, extra: Partial<PlanStep> = {}): PlanStep {
  const kind = resourceId.slice(0, resourceId.indexOf(':')) as PlanStep['kind'];
  return { name, phase: 'install', group: 'setup_web1', resource: resourceId, kind, action: 'create', reasons: [], notifies: [], ...extra };
}

const pkgs = desiredState('web1', [
  resource('package', 'a', { name: 'a' }), resource('package', 'b', { name: 'b' }), resource('package', 'c', { name: 'c', state: 'absent' }),
  resource('file', '/etc/x', { path: '/etc/x' }, { content: { text: 'x', sha256: 'x', secrets: [] }, notify: ['service:nginx'] }),
  resource('service', 'nginx', { name: 'nginx' }),
]);
const pkgSteps = [
  step('aptget_a', 'package:a'), step('aptget_b', 'package:b'), step('aptget_c', 'package:c', { action: 'delete' }),
  step('regen_x', 'file:/etc/x', { phase: 'regen', notifies: ['service:nginx'] }), step('install_service_nginx', 'service:nginx', { action: 'none' }),
  step('restart_nginx', 'service:nginx', { phase: 'handler', action: 'update' }),
];

/** The body of step function `_s<i>` in a script. */
function fn(script: string, i: number): string {
  const start = script.indexOf(`_s${i}() {`);
  return script.slice(start, script.indexOf('\n}', start));
}

describe('buildHostScript', () => {
  it('batches package installs into the first install step and removals into the first removal step', () => {
    const built = buildHostScript({ desired: pkgs, observed: observed(), steps: pkgSteps, token: TOKEN });
    expect(fn(built.script, 0)).toContain('_apt install --no-install-recommends --allow-downgrades a b > "$W/pkg"');
    expect(fn(built.script, 1)).toBe('_s1() {\n:\nexit 0');
    expect(fn(built.script, 2)).toContain('_apt remove c\n');
    expect(built.entries.map((e) => [e.name, e.runs])).toEqual([
      ['aptget_a', true], ['aptget_b', true], ['aptget_c', true], ['regen_x', true], ['install_service_nginx', false], ['restart_nginx', true],
    ]);
  });

  it('records a notification before the notifying change and settles it in the handler', () => {
    const built = buildHostScript({ desired: pkgs, observed: observed(), steps: pkgSteps, token: TOKEN });
    expect(fn(built.script, 3)).toMatch(/^_s3\(\) \{\n_pend_add service:nginx\n_put /);
    expect(fn(built.script, 5)).toContain("systemctl restart -- nginx.service\n_pend_del service:nginx\nexit 0");
    expect(built.files.map((f) => f.name)).toEqual(['f0', 'f1', 'run.sh']);
    expect(built.files[0]!.content.toString()).toBe('x');
    expect(built.files[1]!.content.toString()).toBe('"file:/etc/x"\n');
  });

  it('needs no run for an in-sync plan, unless notifications are pending or the inventory changed', () => {
    const desired = desiredState('web1', [resource('file', '/etc/x', { path: '/etc/x' }, { content: { text: 'x', sha256: 'x', secrets: [] } })]);
    const steps = [step('regen_x', 'file:/etc/x', { action: 'none' })];
    const run = (o: Partial<ObservedState>) => buildHostScript({ desired, observed: observed(o), steps, token: TOKEN }).needsRun;
    expect(run({ inventory: ['file:/etc/x'] })).toBe(false);
    expect(run({ inventory: ['file:/etc/x'], pending: ['service:nginx'] })).toBe(true);
    expect(run({ inventory: [] })).toBe(true);
    expect(run({})).toBe(true);
  });

  it('a partial run (drover run HOST STEP) settles only what its steps settle: pending notifications and the inventory stay', () => {
    const whole = buildHostScript({ desired: pkgs, observed: observed({ pending: ['service:nginx'] }), steps: pkgSteps.slice(0, 1), token: TOKEN });
    const part = buildHostScript({ desired: pkgs, observed: observed({ pending: ['service:nginx'] }), steps: pkgSteps.slice(0, 1), token: TOKEN, partial: true });
    expect(whole.script).toContain('rm -f "$_PF"');
    expect(part.script).not.toContain('rm -f "$_PF"');
    expect(part.script).not.toContain('_meta "$_INV"');
    const nothing = buildHostScript({ desired: pkgs, observed: observed({ pending: ['service:nginx'], inventory: [] }), steps: [], token: TOKEN, partial: true });
    expect(nothing.needsRun).toBe(false);
  });

  it('runs hooks of a step and of its group around them, only when the group has work', () => {
    const desired: DesiredState = { ...pkgs, hooks: [
      { step: 'setup_web1', phase: 'pre', name: 'a.sh', script: 'echo a' }, { step: 'regen_x', phase: 'post', name: 'b.sh', script: 'echo b' },
      { step: 'setup_db', phase: 'pre', name: 'c.sh', script: 'echo c' },
    ] };
    const built = buildHostScript({ desired, observed: observed(), steps: pkgSteps.slice(3), token: TOKEN });
    expect(built.entries.map((e) => e.name)).toEqual(['pre:setup_web1/a.sh', 'regen_x', 'post:regen_x/b.sh', 'install_service_nginx', 'restart_nginx']);
  });

  it('runs the hooks of a step name that several resources share (`step:`) once, around all of them', () => {
    const files = ['/etc/a', '/etc/b', '/etc/c'].map((path) => resource('file', path, { path }, { content: { text: path, sha256: path, secrets: [] } }));
    const desired: DesiredState = { ...desiredState('web1', files), hooks: [
      { step: 'regen_conf', phase: 'pre', name: 'p.sh', script: 'echo p' }, { step: 'regen_conf', phase: 'post', name: 'q.sh', script: 'echo q' },
    ] };
    const steps = files.map((f, i) => step('regen_conf', f.id, { phase: 'regen', action: i === 1 ? 'none' : 'update' }));
    const built = buildHostScript({ desired, observed: observed(), steps, token: TOKEN });
    expect(built.entries.map((e) => [e.name, e.runs])).toEqual([
      ['pre:regen_conf/p.sh', true], ['regen_conf', true], ['regen_conf', false], ['regen_conf', true], ['post:regen_conf/q.sh', true],
    ]);
  });
});

describe('parseReport', () => {
  const built = buildHostScript({ desired: pkgs, observed: observed(), steps: pkgSteps, token: TOKEN });
  const line = (...fields: (string | number)[]): string => `${TOKEN} ${fields.join(' ')}`;

  it('reads statuses, durations, output tails and restored files; later steps are skipped', () => {
    const out = [
      'noise', line('b', 0, 1000000000), line('e', 0, 0, 1002500000), line('b', 1, 1), line('e', 1, 0, 1), line('b', 2, 1), line('e', 2, 100, 1),
      line('b', 3, 5), line('e', 3, 0, 5), line('b', 5, 5), line('e', 5, 1, 5), line('o', 5, hex('Job failed, password=hunter2')),
      line('r', 3, hex('/etc/x')), line('done'),
    ].join('\n');
    const report = parseReport(out, { token: TOKEN, entries: built.entries });
    expect(report.steps.map((s) => [s.name, s.status])).toEqual([
      ['aptget_a', 'changed'], ['aptget_b', 'changed'], ['aptget_c', 'unchanged'], ['regen_x', 'restored'], ['install_service_nginx', 'unchanged'], ['restart_nginx', 'failed'],
    ]);
    expect(report.steps[0]!.durationMs).toBe(2.5);
    expect(report.steps[5]!.stderr).toBe('Job failed, password=***');
    expect(report.restored).toEqual(['/etc/x']);
  });

  it('throws E_APPLY_OUTPUT when the script did not finish or a record is unknown', () => {
    expect(() => parseReport(line('b', 0, 1), { token: TOKEN, entries: built.entries })).toThrow(/did not finish/);
    expect(() => parseReport([line('zz', 0), line('done')].join('\n'), { token: TOKEN, entries: built.entries })).toThrow(/unknown record/);
    expect(() => parseReport([line('b', 99, 1), line('done')].join('\n'), { token: TOKEN, entries: built.entries })).toThrow(/bad step index/);
  });
});

describe('buildTar', () => {
  it('writes ustar headers with valid checksums and 512-byte padding', () => {
    const tar = buildTar([{ name: 'run.sh', content: Buffer.from('echo hi\n') }, { name: 'f0', content: Buffer.alloc(513, 1) }]);
    expect(tar.length).toBe(512 + 512 + 512 + 1024 + 1024);
    const header = tar.subarray(0, 512);
    expect(header.subarray(0, 6).toString()).toBe('run.sh');
    expect(header.subarray(257, 262).toString()).toBe('ustar');
    expect(parseInt(header.subarray(124, 135).toString(), 8)).toBe(8);
    const stored = parseInt(header.subarray(148, 154).toString(), 8);
    const blank = Buffer.from(header);
    blank.fill(0x20, 148, 156);
    expect(blank.reduce((sum, b) => sum + b, 0)).toBe(stored);
    expect(() => buildTar([{ name: '../x', content: Buffer.alloc(0) }])).toThrow(/not allowed/);
  });
});
