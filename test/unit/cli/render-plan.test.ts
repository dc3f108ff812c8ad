import { describe, expect, it } from 'vitest';
import { renderHostPlan, renderSummary } from '../../../controller/cli/render-plan.js';
import { MAX_DIFF_EDIT_LINES as MAX_EDIT_LINES } from '../../../controller/reconcile/file-diff.js';
import { planHost } from '../../../controller/plan/plan-host.js';
import type { FileTexts } from '../../../controller/reconcile/types.js';
import type { PlanView } from '../../../controller/cli/render-plan.js';
import { loadPlanCase } from '../plan/plan-fixtures.js';

/** A planned host from a plan fixture (test/fixtures/plan/<name>), with file texts for diffs. */
function planned(name: string, texts?: Record<string, FileTexts>, host?: string): PlanView {
  const c = loadPlanCase(name);
  if (host !== undefined) c.desired.host.name = host;
  const result = { host: c.desired.host.name, address: '10.0.0.1:22', plan: planHost(c.desired, c.observed) };
  return texts ? { ...result, texts } : result;
}

/** Makes ANSI color codes visible in snapshots: `\x1b[33m` -> `<33>`. */
function showAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[(\d+)m/g, '<$1>');
}

const unreachable: PlanView = {
  host: 'web3', address: '10.0.0.3:22',
  error: { code: 'E_CONNECT_TIMEOUT', message: 'connect to 10.0.0.3:22 timed out after 3s', unreachable: true },
};

const NGINX_BEFORE = 'user www-data;\nworker_processes auto;\npid /run/nginx.pid;\n\nevents {\n  worker_connections 768;\n}\n';
const NGINX_AFTER = 'user www-data;\nworker_processes 4;\npid /run/nginx.pid;\n\nevents {\n  worker_connections 1024;\n}\n';

describe('renderHostPlan', () => {
  it('shows a drifted host like terraform plan: steps by group, reasons, a unified diff', () => {
    const text = renderHostPlan(planned('file-change', { 'file:/etc/nginx/nginx.conf': { before: NGINX_BEFORE, after: NGINX_AFTER } }), { color: false });
    expect(text).toMatchInlineSnapshot(`
      "~ web1 (10.0.0.1:22): 0 to create, 1 to update, 0 to delete, 2 unchanged
          setup_web1
            ~ backup_etc_nginx_nginx_conf    keep the current content (sha256 11111111) in the host's backup store
            ~ regen_etc_nginx_nginx_conf     content sha256 11111111 -> 22222222; mode 0644 -> 0600; owner root -> www-data
                --- /etc/nginx/nginx.conf (host)
                +++ /etc/nginx/nginx.conf (desired)
                @@ -1,7 +1,7 @@
                 user www-data;
                -worker_processes auto;
                +worker_processes 4;
                 pid /run/nginx.pid;
                 
                 events {
                -  worker_connections 768;
                +  worker_connections 1024;
                 }
            ~ restart_nginx                  restart nginx: notified by file:/etc/nginx/nginx.conf"
    `);
  });

  it('masks secrets in diffs: placeholders show as (secret), a changed secret line as (secret changed)', () => {
    const texts = {
      'file:/srv/django/settings_local.py': {
        before: "DEBUG = True\nALLOWED_HOSTS = ['*']\nSECRET_KEY = 'sup3r-old-s3cret'\n",
        after: "DEBUG = False\nALLOWED_HOSTS = ['*']\nSECRET_KEY = '{{drover-secret:django_key}}'\n",
      },
    };
    const text = renderHostPlan(planned('file-with-secret', texts), { color: false });
    expect(text).toMatchInlineSnapshot(`
      "~ web1 (10.0.0.1:22): 0 to create, 1 to update, 0 to delete, 1 unchanged
          setup_web1
            ~ backup_srv_django_settings_local_py keep the current content (sha256 11111111) in the host's backup store
            ~ regen_srv_django_settings_local_py  content sha256 11111111 -> 22222222
                --- /srv/django/settings_local.py (host)
                +++ /srv/django/settings_local.py (desired)
                @@ -1,3 +1,3 @@
                -DEBUG = True
                +DEBUG = False
                 ALLOWED_HOSTS = ['*']
                (secret changed)"
    `);
    expect(text).not.toContain('sup3r-old-s3cret');
    expect(text).not.toContain('drover-secret');
  });

  it('shows only (secret changed) when nothing but secret-bearing lines differ', () => {
    const texts = {
      'file:/srv/django/settings_local.py': {
        before: "DEBUG = False\nSECRET_KEY = 'sup3r-old-s3cret'\n",
        after: "DEBUG = False\nSECRET_KEY = '{{drover-secret:django_key}}'\n",
      },
    };
    const text = renderHostPlan(planned('file-with-secret', texts), { color: false });
    expect(text).toMatchInlineSnapshot(`
      "~ web1 (10.0.0.1:22): 0 to create, 1 to update, 0 to delete, 1 unchanged
          setup_web1
            ~ backup_srv_django_settings_local_py keep the current content (sha256 11111111) in the host's backup store
            ~ regen_srv_django_settings_local_py  content sha256 11111111 -> 22222222
                (secret changed)"
    `);
    expect(text).not.toContain('sup3r-old-s3cret');
  });

  it('shows placeholders in new text as (secret), and changes around a masked secret in full', () => {
    const texts = {
      'file:/srv/django/settings_local.py': {
        before: "DATABASE_URL = 'postgres://app:{{drover-secret:db_password}}@db1/app'\n",
        after: "DATABASE_URL = 'postgres://app:{{drover-secret:db_password}}@db2/app'\nSECRET_KEY = '{{drover-secret:django_key}}'\n",
      },
    };
    const text = renderHostPlan(planned('file-with-secret', texts), { color: false });
    expect(text).toMatchInlineSnapshot(`
      "~ web1 (10.0.0.1:22): 0 to create, 1 to update, 0 to delete, 1 unchanged
          setup_web1
            ~ backup_srv_django_settings_local_py keep the current content (sha256 11111111) in the host's backup store
            ~ regen_srv_django_settings_local_py  content sha256 11111111 -> 22222222
                --- /srv/django/settings_local.py (host)
                +++ /srv/django/settings_local.py (desired)
                @@ -1,1 +1,2 @@
                -DATABASE_URL = 'postgres://app:(secret)@db1/app'
                +DATABASE_URL = 'postgres://app:(secret)@db2/app'
                +SECRET_KEY = '(secret)'"
    `);
    expect(text).not.toContain('drover-secret');
  });

  it('summarises binary files, creates, deletes, attribute-only changes and renamed steps', () => {
    const texts = {
      'file:/etc/nginx/mime.types': { before: 'types {\n  text/html html;\n}\n', after: 'types {\n  text/html html htm;\n}\n' },
      'file:/etc/app/app.env': { after: 'PORT=8000\nWORKERS=4\n' },
    };
    const text = renderHostPlan(planned('file-variants', texts), { color: false });
    expect(text).toMatchInlineSnapshot(`
      "~ web1 (10.0.0.1:22): 1 to create, 5 to update, 1 to delete, 1 unchanged
          setup_web1
            ~ regen_etc_nginx_mime_types            content sha256 33333333 -> 44444444
                --- /etc/nginx/mime.types (host)
                +++ /etc/nginx/mime.types (desired)
                @@ -1,3 +1,3 @@
                 types {
                -  text/html html;
                +  text/html html htm;
                 }
            - regen_etc_nginx_sites_enabled_default symlink present -> absent
            + regen_etc_app_app_env                 file absent -> content sha256 55555555, mode 0640, owner app
                --- /etc/app/app.env (host)
                +++ /etc/app/app.env (desired)
                @@ -0,0 +1,2 @@
                +PORT=8000
                +WORKERS=4
            ~ regen_etc_app_logging_ini             mode 0600 -> 0644
            ~ backup_configure_app                  keep the current content (sha256 33333333) in the host's backup store
            ~ configure_app                         content sha256 33333333 -> 77777777
            ~ backup_etc_app_logo_png               keep the current content (sha256 33333333) in the host's backup store
            ~ regen_etc_app_logo_png                content sha256 33333333 -> 88888888
                (binary content: sha256 33333333 -> 88888888)
            ~ regen_etc_app_motd                    directory at the path -> file"
    `);
  });

  it('does not diff an existing file against nothing when its text was not fetched', () => {
    const text = renderHostPlan(planned('file-change', { 'file:/etc/nginx/nginx.conf': { after: NGINX_AFTER } }), { color: false });
    expect(text).toMatchInlineSnapshot(`
      "~ web1 (10.0.0.1:22): 0 to create, 1 to update, 0 to delete, 2 unchanged
          setup_web1
            ~ backup_etc_nginx_nginx_conf    keep the current content (sha256 11111111) in the host's backup store
            ~ regen_etc_nginx_nginx_conf     content sha256 11111111 -> 22222222; mode 0644 -> 0600; owner root -> www-data
                (no diff: the current content was not fetched)
            ~ restart_nginx                  restart nginx: notified by file:/etc/nginx/nginx.conf"
    `);
  });

  it('does not diff texts that differ in more lines than MAX_EDIT_LINES, and says so', () => {
    const numbered = (tag: string): string => Array.from({ length: MAX_EDIT_LINES + 1 }, (_, i) => `${tag} ${i}`).join('\n') + '\n';
    const texts = { 'file:/etc/nginx/nginx.conf': { before: numbered('old'), after: numbered('new') } };
    const text = renderHostPlan(planned('file-change', texts), { color: false });
    expect(text).toContain(`\n          (diff not shown: more than ${MAX_EDIT_LINES} lines differ)\n`);
    expect(text).not.toContain('+++');
  });

  it('cuts a long diff and says how many lines are hidden', () => {
    const numbered = (from: number): string => Array.from({ length: 40 }, (_, i) => `line ${from + i}`).join('\n') + '\n';
    const texts = { 'file:/etc/nginx/nginx.conf': { before: numbered(1), after: numbered(101) } };
    const text = renderHostPlan(planned('file-change', texts), { color: false, maxDiffLines: 6 });
    expect(text).toMatchInlineSnapshot(`
      "~ web1 (10.0.0.1:22): 0 to create, 1 to update, 0 to delete, 2 unchanged
          setup_web1
            ~ backup_etc_nginx_nginx_conf    keep the current content (sha256 11111111) in the host's backup store
            ~ regen_etc_nginx_nginx_conf     content sha256 11111111 -> 22222222; mode 0644 -> 0600; owner root -> www-data
                --- /etc/nginx/nginx.conf (host)
                +++ /etc/nginx/nginx.conf (desired)
                @@ -1,40 +1,40 @@
                -line 1
                -line 2
                -line 3
                -line 4
                -line 5
                ... 75 more diff lines hidden
            ~ restart_nginx                  restart nginx: notified by file:/etc/nginx/nginx.conf"
    `);
  });

  it('marks steps decided at run time with ?', () => {
    expect(renderHostPlan(planned('command-guard-effects'), { color: false })).toMatchInlineSnapshot(`
      "~ web1 (10.0.0.1:22): 3 to create, 1 to update, 0 to delete, 4 may change, 3 unchanged
          setup_web1
            + install_user_app               user app absent -> present
            + aptget_locales                 package locales absent -> present
            + regen_etc_app_rotate_now       file absent -> content sha256 22222222
            ? install_command_locale_gen     may change: unless \`locale -a | grep -qx en_US.utf8\` succeeded before this run, but aptget_locales (dependsOn package:locales) runs earlier; decided at run time
            ? install_command_rotate_keys    may change: onlyIf \`test -f /etc/app/rotate-now\` failed (exit 1) before this run, but regen_etc_app_rotate_now (the guard looks at /etc/app/rotate-now) runs earlier; decided at run time
            ? install_command_own_data       may change: unless \`test "$(stat -c %U /srv/app/data)" = app\` succeeded before this run, but install_user_app (the guard names app) runs earlier; decided at run time
            ~ install_command_bootstrap      runs: /var/lib/app/bootstrapped absent
            ? install_command_migrate        may change: unless \`/usr/local/bin/migrate --check\` succeeded before this run, but install_user_app (dependsOn user:app), install_command_bootstrap (dependsOn command:bootstrap) run earlier; decided at run time"
    `);
  });

  it('prints an in-sync host on one line', () => {
    expect(renderHostPlan(planned('in-sync'), { color: false })).toMatchInlineSnapshot(`"  web1 (10.0.0.1:22): in sync (14 resources)"`);
  });

  it('uses ANSI colors only when color is on, and the same text either way', () => {
    const result = planned('file-change', { 'file:/etc/nginx/nginx.conf': { before: NGINX_BEFORE, after: NGINX_AFTER } });
    const plain = renderHostPlan(result, { color: false });
    const colored = renderHostPlan(result, { color: true });
    expect(plain).not.toContain('\x1b[');
    expect(showAnsi(colored)).toMatchInlineSnapshot(`
      "<33>~ web1 (10.0.0.1:22): 0 to create, 1 to update, 0 to delete, 2 unchanged<0>
          setup_web1
      <33>      ~ backup_etc_nginx_nginx_conf    keep the current content (sha256 11111111) in the host's backup store<0>
      <33>      ~ regen_etc_nginx_nginx_conf     content sha256 11111111 -> 22222222; mode 0644 -> 0600; owner root -> www-data<0>
                --- /etc/nginx/nginx.conf (host)
                +++ /etc/nginx/nginx.conf (desired)
                @@ -1,7 +1,7 @@
                 user www-data;
                <31>-worker_processes auto;<0>
                <32>+worker_processes 4;<0>
                 pid /run/nginx.pid;
                 
                 events {
                <31>-  worker_connections 768;<0>
                <32>+  worker_connections 1024;<0>
                 }
      <33>      ~ restart_nginx                  restart nginx: notified by file:/etc/nginx/nginx.conf<0>"
    `);
    expect(showAnsi(colored).replace(/<\d+>/g, '')).toBe(plain);
  });

  it('escapes terminal control characters (ANSI, OSC, C0/C1, bidi) in paths, reasons, diffs and errors', () => {
    const hostile = 'a\n\x1b[2J\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07 \x1b[8mhidden\x1b[0m\rover\u009b31m\x7f\u202egnp.exe\tend\n';
    const view = planned('file-change');
    if (!('plan' in view)) throw new Error('planned');
    const regen = view.plan.steps.find((s) => s.name === 'regen_etc_nginx_nginx_conf')!;
    regen.reasons = ['content of /etc/\x1b]0;owned\x07nginx.conf changed'];
    regen.resource = 'file:/etc/nginx/\x1b[1Anginx.conf';
    view.texts = { [regen.resource]: { before: 'a\n', after: hostile } };
    for (const color of [false, true]) {
      const text = renderHostPlan(view, { color });
      // Only drover's own color codes may reach the terminal.
      // eslint-disable-next-line no-control-regex
      expect(text.replace(/\x1b\[\d+m/g, '')).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
    }
    expect(renderHostPlan(view, { color: false })).toMatchInlineSnapshot(`
      "~ web1 (10.0.0.1:22): 0 to create, 1 to update, 0 to delete, 2 unchanged
          setup_web1
            ~ backup_etc_nginx_nginx_conf    keep the current content (sha256 11111111) in the host's backup store
            ~ regen_etc_nginx_nginx_conf     content of /etc/\\e]0;owned\\anginx.conf changed
                --- /etc/nginx/\\e[1Anginx.conf (host)
                +++ /etc/nginx/\\e[1Anginx.conf (desired)
                @@ -1,1 +1,2 @@
                 a
                +\\e[2J\\e]8;;https://evil.example/\\aclick\\e]8;;\\a \\e[8mhidden\\e[0m\\rover\\x9b31m\\x7f\\u202egnp.exe	end
            ~ restart_nginx                  restart nginx: notified by file:/etc/nginx/nginx.conf"
    `);
    const failed: PlanView = { host: 'web3', address: '10.0.0.3:22', error: { code: 'E_AUTH', message: 'denied \x1b]0;hi\x07', unreachable: false } };
    expect(renderHostPlan(failed, { color: false })).toMatchInlineSnapshot(`"! web3 (10.0.0.3:22): refused: denied \\e]0;hi\\a"`);
  });

  it('prints one line for a host that could not be observed', () => {
    expect(renderHostPlan(unreachable, { color: false })).toMatchInlineSnapshot(`"! web3 (10.0.0.3:22): not observed: connect to 10.0.0.3:22 timed out after 3s"`);
    expect(showAnsi(renderHostPlan(unreachable, { color: true }))).toMatchInlineSnapshot(`"<31>! web3 (10.0.0.3:22): not observed: connect to 10.0.0.3:22 timed out after 3s<0>"`);
  });
});

describe('renderSummary', () => {
  it('lists every host with its status and counts', () => {
    const failed: PlanView = {
      host: 'db1', address: '10.0.0.4:22',
      error: { code: 'E_FACT_MISSING', message: 'no file fact observed for file:/etc/x', unreachable: false },
    };
    const results = [planned('in-sync', undefined, 'web1'), planned('file-change', undefined, 'web2'), planned('git', undefined, 'app1'), unreachable, failed];
    expect(renderSummary(results)).toMatchInlineSnapshot(`
      "HOST  STATUS       CREATE  UPDATE  DELETE  UNCHANGED  NOTE
      web1  in sync      0       0       0       14
      web2  drift        0       1       0       2
      app1  drift        2       4       0       2          1 may change
      web3  unreachable  -       -       -       -          E_CONNECT_TIMEOUT
      db1   failed       -       -       -       -          E_FACT_MISSING"
    `);
  });
});
