/**
 * `drover plan` / `reconcile --dry-run` on real OpenSSH hosts: drift made by hand appears exactly
 * in the plan and nowhere else; an in-sync host exits 0; an unreachable host exits 3 while the
 * others are still reported.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useFleet } from '../support/fleet.js';
import { buildDeb } from '../support/debs.js';
import { fleetSshFlags, sshRun } from '../support/ssh.js';
import { runDrover } from '../integration/cli/run-cli.js';

const APP_CONF = 'listen = 8080\nname = "demo"\n';

const env = useFleet({ count: 2, name: 'e2e-plan' });
let repo: string;

/** Puts a host exactly in the declared state, by hand (no drover). */
async function converge(host: string): Promise<void> {
  await sshRun(env.fleet, host, 'cat > /tmp/pkg.deb && dpkg -i /tmp/pkg.deb >/dev/null && rm /tmp/pkg.deb', buildDeb('drover-demo', '1.0-1'));
  await sshRun(env.fleet, host, 'id demo >/dev/null 2>&1 || useradd --system --home-dir /srv/demo --shell /usr/sbin/nologin demo');
  await sshRun(env.fleet, host, 'mkdir -p /srv/demo && chmod 0755 /srv/demo && chown demo:demo /srv/demo && cat > /srv/demo/app.conf && chmod 0640 /srv/demo/app.conf', APP_CONF);
}

function plan(...args: string[]) {
  return runDrover(['plan', repo, ...fleetSshFlags(env.fleet), ...args]);
}

/** Replaces the fleet's slot-dependent addresses so output can be snapshotted. */
function normalise(text: string): string {
  return text.replace(/127\.77\.\d+\./g, '127.77.S.');
}

beforeAll(async () => {
  repo = await mkdtemp(join(tmpdir(), 'drover-e2e-plan-'));
  await mkdir(join(repo, 'hosts'));
  await mkdir(join(repo, 'roles'));
  await writeFile(join(repo, 'roles/demo.yaml'), [
    'resources:',
    '  - { kind: package, name: drover-demo }',
    '  - { kind: user, name: demo, system: true, home: /srv/demo, shell: /usr/sbin/nologin }',
    '  - { kind: directory, path: /srv/demo, mode: "0755", owner: demo, group: demo }',
    `  - { kind: file, path: /srv/demo/app.conf, mode: "0640", owner: root, content: ${JSON.stringify(APP_CONF)} }`,
    '',
  ].join('\n'));
  for (const h of env.fleet.hosts) {
    await writeFile(join(repo, `hosts/${h.name}.yaml`), `address: ${h.address}\nroles: [demo]\n`);
    await converge(h.name);
  }
});

afterAll(async () => {
  if (repo) await rm(repo, { recursive: true, force: true });
});

describe('drover plan on real hosts', () => {
  it('exits 0 and reports every host in sync when hosts match the manifests', async () => {
    const run = await plan('--output', 'json');
    const body = JSON.parse(run.stdout) as { hosts: { host: string; plan: { inSync: boolean; summary: object } }[] };
    expect(run.code).toBe(0);
    expect(body.hosts.map((h) => [h.host, h.plan.inSync, h.plan.summary])).toEqual([
      ['host1', true, { create: 0, update: 0, delete: 0, unchanged: 4, mayChange: 0 }],
      ['host2', true, { create: 0, update: 0, delete: 0, unchanged: 4, mayChange: 0 }],
    ]);
  });

  it('shows drift made by hand exactly, and nothing else', async () => {
    await sshRun(env.fleet, 'host2', 'echo "debug = true" >> /srv/demo/app.conf && chmod 0644 /srv/demo/app.conf');
    await sshRun(env.fleet, 'host2', 'dpkg -r drover-demo >/dev/null && chmod 0700 /srv/demo && userdel demo');
    const json = await plan('--output', 'json');
    expect(json.code).toBe(2);
    const body = JSON.parse(json.stdout) as { hosts: { host: string; plan: { inSync: boolean; steps: { name: string; action: string; reasons: string[] }[] } }[] };
    const [h1, h2] = body.hosts;
    expect(h1?.plan.inSync).toBe(true);
    const changed = h2?.plan.steps.filter((s) => s.action !== 'none').map((s) => [s.name, s.action, s.reasons.join('; ')]);
    expect(changed).toEqual([
      ['install_user_demo', 'create', 'user demo absent -> present'],
      ['install_dir_srv_demo', 'update', 'mode 0700 -> 0755; owner UNKNOWN -> demo; group UNKNOWN -> demo'],
      ['aptget_drover_demo', 'create', 'package drover-demo absent -> present'],
      ['backup_srv_demo_app_conf', 'update', expect.stringMatching(/^keep the current content \(sha256 [0-9a-f]{8}\)/) as unknown as string],
      ['regen_srv_demo_app_conf', 'update', expect.stringMatching(/^content sha256 [0-9a-f]{8} -> [0-9a-f]{8}; mode 0644 -> 0640$/) as unknown as string],
    ]);

    const hostPlan = JSON.stringify(h2?.plan, null, 2).replace(/[0-9a-f]{64}/g, 'SHA256');
    expect(hostPlan).toMatchInlineSnapshot(`
      "{
        "host": "host2",
        "steps": [
          {
            "name": "install_user_demo",
            "phase": "install",
            "group": "setup_demo",
            "resource": "user:demo",
            "kind": "user",
            "action": "create",
            "reasons": [
              "user demo absent -> present"
            ],
            "notifies": []
          },
          {
            "name": "install_dir_srv_demo",
            "phase": "install",
            "group": "setup_demo",
            "resource": "directory:/srv/demo",
            "kind": "directory",
            "action": "update",
            "reasons": [
              "mode 0700 -> 0755",
              "owner UNKNOWN -> demo",
              "group UNKNOWN -> demo"
            ],
            "notifies": []
          },
          {
            "name": "aptget_drover_demo",
            "phase": "install",
            "group": "setup_demo",
            "resource": "package:drover-demo",
            "kind": "package",
            "action": "create",
            "reasons": [
              "package drover-demo absent -> present"
            ],
            "notifies": []
          },
          {
            "name": "backup_srv_demo_app_conf",
            "phase": "backup",
            "group": "setup_demo",
            "resource": "file:/srv/demo/app.conf",
            "kind": "file",
            "action": "update",
            "reasons": [
              "keep the current content (sha256 2f95354f) in the host's backup store"
            ],
            "notifies": []
          },
          {
            "name": "regen_srv_demo_app_conf",
            "phase": "regen",
            "group": "setup_demo",
            "resource": "file:/srv/demo/app.conf",
            "kind": "file",
            "action": "update",
            "reasons": [
              "content sha256 2f95354f -> 906412c3",
              "mode 0644 -> 0640"
            ],
            "notifies": [],
            "content": {
              "after": "SHA256",
              "secrets": [],
              "binary": false,
              "before": "SHA256"
            }
          }
        ],
        "summary": {
          "create": 2,
          "update": 2,
          "delete": 0,
          "unchanged": 0,
          "mayChange": 0
        },
        "inSync": false
      }"
    `);

    const text = await plan();
    expect(text.code).toBe(2);
    expect(normalise(text.stdout).replace(/sha256 [0-9a-f]{8}/g, 'sha256 XXXXXXXX')).toMatchInlineSnapshot(`
      "  host1 (127.77.S.1:22): in sync (4 resources)
      ~ host2 (127.77.S.2:22): 2 to create, 2 to update, 0 to delete, 0 unchanged
          setup_demo
            + install_user_demo              user demo absent -> present
            ~ install_dir_srv_demo           mode 0700 -> 0755; owner UNKNOWN -> demo; group UNKNOWN -> demo
            + aptget_drover_demo             package drover-demo absent -> present
            ~ backup_srv_demo_app_conf       keep the current content (sha256 XXXXXXXX) in the host's backup store
            ~ regen_srv_demo_app_conf        content sha256 XXXXXXXX -> 906412c3; mode 0644 -> 0640
                --- /srv/demo/app.conf (host)
                +++ /srv/demo/app.conf (desired)
                @@ -1,3 +1,2 @@
                 listen = 8080
                 name = "demo"
                -debug = true

      HOST   STATUS   CREATE  UPDATE  DELETE  UNCHANGED  NOTE
      host1  in sync  0       0       0       4
      host2  drift    2       2       0       0
      "
    `);
  });

  it('reports an unreachable host, still plans the others, and exits 3', async () => {
    await writeFile(join(repo, 'hosts/ghost.yaml'), `address: ${env.fleet.hosts[0]?.address.replace(/\.\d+$/, '.250')}\nroles: [demo]\n`);
    try {
      const run = await plan('--output', 'json', '--connect-timeout', '3');
      const body = JSON.parse(run.stdout) as { hosts: { host: string; error?: { code: string; unreachable: boolean }; plan?: { inSync: boolean } }[] };
      expect(run.code).toBe(3);
      expect(body.hosts.map((h) => [h.host, h.error?.code ?? (h.plan?.inSync ? 'in sync' : 'drift')])).toEqual([
        ['ghost', 'E_CONNECT_REFUSED'], ['host1', 'in sync'], ['host2', 'drift'],
      ]);
    } finally {
      await rm(join(repo, 'hosts/ghost.yaml'));
    }
  });

  it('limits the run to --host', async () => {
    const run = await plan('--host', 'host1');
    expect(run.code).toBe(0);
    expect(normalise(run.stdout)).toMatchInlineSnapshot(`
      "  host1 (127.77.S.1:22): in sync (4 resources)

      HOST   STATUS   CREATE  UPDATE  DELETE  UNCHANGED  NOTE
      host1  in sync  0       0       0       4
      "
    `);
  });
});

describe('drover facts and drover steps on real hosts', () => {
  it('prints the observed state of the resources a host declares', async () => {
    const run = await runDrover(['facts', 'host1', repo, ...fleetSshFlags(env.fleet)]);
    expect(run.code).toBe(0);
    const text = normalise(run.stdout).replace(/sha256 [0-9a-f]{8} /, 'sha256 XXXXXXXX ').replace(/uid \d+ gid \d+/, 'uid N gid N')
;
    expect(text).toMatchInlineSnapshot(`
      "host1 (127.77.S.1:22): debian 12, apt, other
        package:drover-demo      installed 1.0-1
        user:demo                uid N gid N home /srv/demo shell /usr/sbin/nologin
        directory:/srv/demo      directory 0755 demo:demo
        file:/srv/demo/app.conf  file 0640 root:root sha256 XXXXXXXX (28 bytes)
      "
    `);
  });

  it('gives the facts as JSON', async () => {
    const run = await runDrover(['facts', 'host1', repo, '--output', 'json', ...fleetSshFlags(env.fleet)]);
    const observed = JSON.parse(run.stdout) as { host: string; platform: { family: string }; resources: Record<string, { kind: string }> };
    expect(run.code).toBe(0);
    expect(observed.host).toBe('host1');
    expect(observed.platform.family).toBe('debian');
    expect(observed.resources['package:drover-demo']).toEqual({ kind: 'package', installed: true, version: '1.0-1' });
    expect(Object.keys(observed.resources)).toEqual(['package:drover-demo', 'user:demo', 'directory:/srv/demo', 'file:/srv/demo/app.conf']);
  });

  it('names an unknown host with a suggestion', async () => {
    const run = await runDrover(['facts', 'hots1', repo, ...fleetSshFlags(env.fleet)]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('drover: unknown host "hots1"; did you mean "host1"?\n');
  });

  it('lists the named steps of a drifted host and whether each would change', async () => {
    const run = await runDrover(['steps', 'host2', repo, ...fleetSshFlags(env.fleet)]);
    expect(run.code).toBe(2);
    expect(run.stdout.replace(/sha256 [0-9a-f]{8}/g, 'sha256 XXXXXXXX')).toMatchInlineSnapshot(`
      "host2: steps, grouped by their setup_ step
      setup_demo
        install_user_demo          would change: user demo absent -> present
        install_dir_srv_demo       would change: mode 0700 -> 0755; owner UNKNOWN -> demo; group UNKNOWN -> demo
        aptget_drover_demo         would change: package drover-demo absent -> present
        backup_srv_demo_app_conf   would change: keep the current content (sha256 XXXXXXXX) in the host's backup store
        regen_srv_demo_app_conf    would change: content sha256 XXXXXXXX -> 906412c3; mode 0644 -> 0640
      on demand (drover run HOST restore_x [--revision N])
        restore_srv_demo_app_conf  put /srv/demo/app.conf back as before drover
      "
    `);
  });
});
