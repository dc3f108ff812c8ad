/**
 * The console's rendering (pure, data fixtures): commits with subject, author and time, how far behind,
 * the revision view, buttons by role with the CSRF token, filters and pages, a host's runs with the
 * masked diff and its events, everything escaped.
 */
import { describe, expect, it } from 'vitest';
import type { HostView } from '../../../../controller/daemon/api.js';
import { permissionsOf } from '../../../../controller/daemon/http/page/actions.js';
import { fleetBody } from '../../../../controller/daemon/http/page/fleet.js';
import { filterHosts, filterQuery, PAGE_SIZE, parseFleetFilter } from '../../../../controller/daemon/http/page/fleet-filter.js';
import { hostBody } from '../../../../controller/daemon/http/page/host.js';
import { page } from '../../../../controller/daemon/http/page/layout.js';
import type { DroverEvent } from '../../../../controller/daemon/report/events.js';
import { HOST_STATUSES, newHostRecord } from '../../../../controller/daemon/state/records.js';

const NEW = `main@sha1:${'b'.repeat(40)}`;
const OLD = `main@sha1:${'a'.repeat(40)}`;
const NOW = Date.UTC(2026, 0, 2, 12);
const commits = {
  [NEW]: { commit: 'b'.repeat(40), subject: 'Raise <nginx> workers', author: 'Ada', time: NOW - 3_600_000, behind: 0 },
  [OLD]: { commit: 'a'.repeat(40), subject: 'First', author: 'Bob', time: NOW - 86_400_000, behind: 2 },
};
const byStatus = Object.fromEntries(HOST_STATUSES.map((s) => [s, 0])) as Record<(typeof HOST_STATUSES)[number], number>;
const status = {
  ready: true, hosts: { total: 2, byStatus: { ...byStatus, Synced: 1, OutOfSync: 1 } }, queue: { adds: 0, coalescedAdds: 0, queued: 0, processing: 0, waiting: 0 },
  source: { consecutiveFetchFailures: 0, newestRevision: NEW, lastGoodRevision: NEW }, rollouts: [], state: { writable: true, writeFailures: 0 },
};
const host = (name: string, extra: Partial<HostView> = {}): HostView => ({ ...newHostRecord(name), status: 'Synced', reason: 'in sync', lastAppliedRevision: NEW, ...extra });
const hosts = [
  host('web1'),
  host('db1', { status: 'OutOfSync', reason: 'behind', lastAppliedRevision: OLD, blockedBy: { kind: 'window', reason: 'window opens at 02:00', since: 0 } as never }),
];
const fleet = (extra: Partial<Parameters<typeof fleetBody>[0]> = {}) => fleetBody({
  source: { url: '/srv/fleet.git', ref: 'branch main' }, status: status as never, hosts, now: NOW, commits, groups: { web1: ['web'], db1: ['db'] }, ...extra,
}).text;

describe('the fleet page', () => {
  it('shows the newest and last good revision with subject, author and time, escaped', () => {
    const text = fleet();
    expect(text).toContain('<div id="newest">Newest revision <code title="main@sha1:bbbb');
    expect(text).toContain('<span class="subject">Raise &lt;nginx&gt; workers</span> <span class="muted">by Ada, 1h ago</span>');
    expect(text).not.toContain('<nginx>');
  });

  it("shows each host's commit, how far behind, and blockedBy; the revision view counts hosts per revision", () => {
    const text = fleet();
    expect(text).toMatch(/<tr data-host="db1">.*<code>main@aaaaaaa<\/code> <span class="behind">2 behind<\/span>/s);
    expect(text).toMatch(/<tr data-host="web1">.*<code>main@bbbbbbb<\/code>\n/s);
    expect(text).toContain('<div class="blocked" data-kind="window">blocked by window: window opens at 02:00</div>');
    expect(text).toMatch(/<tr data-revision="main@sha1:a{40}">.*2 behind.*<a href="\/\?revision=main%40sha1%3Aa{40}">1 host<\/a>/s);
  });

  it('gives a read-only viewer no form and no button', () => {
    const text = fleet({ permissions: permissionsOf({ name: 'viewer', role: 'read' }, 'tok', '/') });
    expect(text.match(/<button[^>]*>[^<]*/g)).toEqual(['<button type="submit">Filter']);
    expect(text).not.toContain('Sync all');
    expect(text).not.toContain('name="csrf"');
  });

  it('gives a sync token Sync, Dry run and Sync all, and an admin Suspend/Resume and Resume rollout, in one form with the CSRF token', () => {
    const sync = fleet({ permissions: permissionsOf({ name: 'ci', role: 'sync' }, 'csrf-1', '/?q=web') });
    expect(sync).toContain('<form id="fleet-form" class="live" method="post" action="/actions"><input type="hidden" name="csrf" value="csrf-1"><input type="hidden" name="back" value="/?q=web">');
    expect(sync).toContain('<button name="sync" value="web1">Sync</button><button name="dry-run" value="web1">Dry run</button>');
    expect(sync).toContain('>Sync all</button>');
    expect(sync).not.toContain('>Suspend</button>');
    const halted = { ...status, rollouts: [{ lane: 'default', halted: { wave: 'canary', reason: 'web1 failed', at: 0 } }] };
    const admin = fleet({ status: halted as never, hosts: [host('web1'), host('web2', { suspended: true, status: 'Suspended' })], permissions: permissionsOf({ name: 'root', role: 'admin' }, 'c', '/') });
    expect(admin).toContain('<button name="suspend" value="web1">Suspend</button>');
    expect(admin).toContain('<button name="resume" value="web2">Resume</button>');
    expect(admin).not.toContain('value="web2">Sync</button>');
    expect(admin).toContain('Rollout default halted at wave canary: web1 failed</span> <button name="resume-rollout" value="default">Resume rollout</button>');
    // Every viewer sees the halted rollout; only an admin gets its button.
    for (const role of ['read', 'sync'] as const) {
      const text = fleet({ status: halted as never, permissions: permissionsOf({ name: 'viewer', role }, 'c', '/') });
      expect(text).toContain('<span class="error" data-lane="default">Rollout default halted at wave canary: web1 failed</span></div>');
      expect(text).not.toContain('Resume rollout');
    }
  });

  it('filters by status, group, revision and text, and pages past PAGE_SIZE', () => {
    const groups = { web1: ['web'], db1: ['db'] };
    expect(filterHosts(hosts, groups, parseFleetFilter({ status: 'OutOfSync' })).map((h) => h.host)).toEqual(['db1']);
    expect(filterHosts(hosts, groups, parseFleetFilter({ group: 'web' })).map((h) => h.host)).toEqual(['web1']);
    expect(filterHosts(hosts, groups, parseFleetFilter({ revision: OLD })).map((h) => h.host)).toEqual(['db1']);
    expect(filterHosts(hosts, groups, parseFleetFilter({ q: 'WINDOW' })).map((h) => h.host)).toEqual(['db1']);
    expect(parseFleetFilter({ status: 'Bogus', page: '-3' })).toEqual({ page: 1 });
    expect(filterQuery(parseFleetFilter({ status: 'Failed', q: 'a b' }), 2)).toBe('?status=Failed&q=a+b&page=2');
    const many = Array.from({ length: PAGE_SIZE + 5 }, (_, i) => host(`h${String(i).padStart(5, '0')}`));
    const second = fleet({ hosts: many, filter: parseFleetFilter({ page: '2' }) });
    expect(second.match(/<tr data-host=/g)).toHaveLength(5);
    expect(second).toContain('<span>page 2 of 2</span>');
  });
});

describe('a host page', () => {
  const events: DroverEvent[] = [
    { seq: 3, at: NOW, type: 'host.suspended', host: 'web1', actor: '<admin>' },
    { seq: 2, at: NOW - 1000, type: 'run.finished', host: 'web1', revision: NEW, runId: 'r2', trigger: 'manual', dryRun: true, result: 'drift', changedSteps: [], durationMs: 1500 },
  ];
  const record = {
    ...host('web1'),
    lastPlan: { revision: NEW, inSync: false, counts: { update: 1 }, steps: [{ name: 'regen_app', action: 'update', reasons: ['content'], diff: ['--- a', '+++ b', '-key=(secret)', '+x'] }] },
    history: [
      { id: 'r2', trigger: 'manual' as const, revision: NEW, startedAt: NOW - 2000, endedAt: NOW - 500, dryRun: true, result: 'drift' as const, changedSteps: [] },
      { id: 'r1', trigger: 'revision' as const, revision: OLD, startedAt: NOW - 9000, endedAt: NOW - 8000, dryRun: false, result: 'applied' as const, changedSteps: ['regen_app'] },
      {
        id: 'r0', trigger: 'drift' as const, revision: OLD, startedAt: NOW - 20000, endedAt: NOW - 19000, dryRun: false, result: 'applied' as const, changedSteps: ['regen_motd'],
        diff: [{ step: 'regen_motd', lines: ['--- /etc/motd (host)', '+++ /etc/motd (desired)', '-<b>hand edit</b>', '+welcome'] }],
      },
    ],
  };

  it("shows its runs with the revision's subject, the masked diff under the run that planned it, and its events", () => {
    const text = hostBody(record, NOW, { commits, events, permissions: permissionsOf({ name: 'root', role: 'admin' }, 'c', '/hosts/web1') }).text;
    expect(text).toMatch(/<tr data-run="r2">.*manual \(dry run\).*Raise &lt;nginx&gt; workers.*drift.*1\.5s.*<details class="run-diff" id="diff-r2"><summary>diff \(masked\)<\/summary>/s);
    expect(text).toMatch(/<tr data-run="r1">.*revision.*main@aaaaaaa.*applied.*1\.0s.*regen_app<\/td><\/tr>/s);
    // A run that keeps its own diff (a drift repair) shows it, escaped.
    expect(text).toMatch(/<tr data-run="r0">.*regen_motd<details class="run-diff" id="diff-r0"><summary>diff \(masked\)<\/summary><div><code>regen_motd<\/code><pre class="diff">.*<span class="del">-&lt;b&gt;hand edit&lt;\/b&gt;<\/span>\n<span class="add">\+welcome<\/span><\/pre>/s);
    expect(text).toContain('<td><code>host.suspended</code></td><td>suspended by &lt;admin&gt;</td>');
    expect(text).toContain('manual dry run at main@bbbbbbb: drift, 1.5s');
    expect(text).toContain('<div id="host-actions"><button name="sync" value="web1">Sync</button>');
  });

  it('has no buttons for a read-only viewer', () => {
    const text = hostBody(record, NOW, { commits, permissions: permissionsOf({ name: 'viewer', role: 'read' }, 'c', '/') }).text;
    expect(text).not.toContain('<button');
    expect(text).not.toContain('host-actions');
  });
});

describe('the frame', () => {
  it('allows its one script by nonce, and falls back to a refresh without JavaScript', () => {
    const text = page({ title: 'Fleet', body: fleetBody({ source: { url: 'x', ref: 'branch main' }, status: status as never, hosts, now: NOW }), refreshSeconds: 5, loggedIn: true, now: NOW, nonce: 'n0nce', live: '/live' });
    expect(text).toContain('<noscript><meta http-equiv="refresh" content="5"></noscript>');
    expect(text).toContain('<body data-live="/live" data-refresh="5">');
    expect(text.match(/<script/g)).toHaveLength(1);
    expect(text).toContain('<script nonce="n0nce">');
  });
});
