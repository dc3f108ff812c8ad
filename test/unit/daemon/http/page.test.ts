/** The status page's HTML building (pure): everything interpolated is escaped. */
import { describe, expect, it } from 'vitest';
import { escapeHtml, html } from '../../../../controller/daemon/http/page/html.js';
import { ago, driftCount, shortRevision } from '../../../../controller/daemon/http/page/format.js';
import { fleetBody } from '../../../../controller/daemon/http/page/fleet.js';
import { hostBody } from '../../../../controller/daemon/http/page/host.js';
import { HOST_STATUSES } from '../../../../controller/daemon/state/records.js';
import { newHostRecord } from '../../../../controller/daemon/state/records.js';

describe('html', () => {
  it('escapes values, keeps literal markup and nested Html, joins arrays', () => {
    const evil = `"><script>alert('x')</script>&`;
    expect(html`<a title="${evil}">${evil}</a>`.text).toBe('<a title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</a>');
    expect(html`<ul>${['<a>', html`<li>ok</li>`]}</ul>`.text).toBe('<ul>&lt;a&gt;<li>ok</li></ul>');
    expect(html`${undefined}${null}${false}${0}`.text).toBe('0');
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });

  it('a host page never carries markup from the record', () => {
    const record = {
      ...newHostRecord('web1'), reason: '<img src=x onerror=alert(1)>',
      lastError: { code: 'E_X', message: '<b>m</b>', stderrTail: '</pre><script>1</script>', at: 0 },
    };
    const page = hostBody(record, 0).text;
    expect(page).not.toContain('<img');
    expect(page).not.toContain('<script>');
    expect(page).toContain('&lt;/pre&gt;&lt;script&gt;1&lt;/script&gt;');
  });

  it('a host page says why the host is not on the newest revision (blockedBy), escaped', () => {
    const blockedBy = { kind: 'quarantined', reason: 'revision <r> was undone on this host (E_LOCKED_OUT)', revision: 'r', code: 'E_LOCKED_OUT', since: 0 } as const;
    const page = hostBody({ ...newHostRecord('web1'), history: [], blockedBy }, 0).text;
    expect(page).toContain('<div id="blocked-by" data-kind="quarantined">Not on the newest revision: <b>quarantined</b>: revision &lt;r&gt; was undone on this host (E_LOCKED_OUT)</div>');
    expect(hostBody({ ...newHostRecord('web1'), history: [] }, 0).text).not.toContain('blocked-by');
  });
});

describe('fleetBody', () => {
  const byStatus = Object.fromEntries(HOST_STATUSES.map((s) => [s, 0])) as Record<(typeof HOST_STATUSES)[number], number>;
  const status = (rejected?: { revision: string; problems: string[]; at: number }) => ({
    ready: true, hosts: { total: 1, byStatus: { ...byStatus, Rejected: 1 } }, queue: { adds: 0, coalescedAdds: 0, queued: 0, processing: 0, waiting: 0 },
    source: { consecutiveFetchFailures: 0, newestRevision: `main@sha1:${'b'.repeat(40)}`, lastGoodRevision: `main@sha1:${'a'.repeat(40)}`, ...(rejected ? { rejected } : {}) },
    rollouts: [],
  });
  it('shows a rejected revision with its problems, escaped, and counts per status', () => {
    const problems = ['hosts/web1.yaml:3:7  resources[0].mode  must match pattern "<script>"'];
    const page = fleetBody({
      source: { url: '/srv/fleet.git', ref: 'branch main' }, now: 0,
      status: status({ revision: `main@sha1:${'b'.repeat(40)}`, problems, at: 0 }) as never,
      hosts: [{ ...newHostRecord('web1'), status: 'Rejected', reason: 'revision rejected' }],
    }).text;
    expect(page).toContain('Revision <code>main@bbbbbbb</code> was rejected');
    expect(page).toContain('hosts/web1.yaml:3:7  resources[0].mode  must match pattern &quot;&lt;script&gt;&quot;');
    expect(page).not.toContain('<script>');
    expect(page).toMatch(/<span class="badge status-Rejected">Rejected<\/span><\/a> 1/);
  });
  it('says so when there are no hosts yet', () => {
    const page = fleetBody({ source: { url: 'x', ref: 'branch main' }, now: 0, status: { ...status(), hosts: { total: 0, byStatus } } as never, hosts: [] }).text;
    expect(page).toContain('No hosts yet: waiting for a valid revision.');
  });
});

describe('format', () => {
  it.each([
    [`main@sha1:${'a'.repeat(40)}`, 'main@aaaaaaa'], [`sha1:${'b'.repeat(40)}`, 'bbbbbbb'], [undefined, '-'], ['odd', 'odd'],
  ])('shortRevision(%s)', (revision, shown) => expect(shortRevision(revision)).toBe(shown));
  it.each([[undefined, '-'], [1_000, '59s ago'], [0, '1m ago'], [-7_200_000, '2h ago']])('ago(%s)', (at, shown) => {
    expect(ago(at, 60_000)).toBe(shown);
  });
  it('counts drift from the plan counts', () => {
    expect(driftCount(undefined)).toBe(0);
    expect(driftCount({ inSync: true, counts: { update: 2 } })).toBe(0);
    expect(driftCount({ inSync: false, counts: { create: 1, update: 2, delete: 1, unchanged: 9 } })).toBe(4);
  });
});
