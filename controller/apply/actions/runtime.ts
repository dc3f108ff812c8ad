/**
 * Actions of runtime kinds: services (systemd, supervisor, runit), their notified restart/reload
 * handlers, and guarded commands (guards re-checked on the host right before the command runs).
 */
import { runCommandSh } from '../../transport/host-sh.js';
import type { DesiredResource } from '../../../manifests/types.js';
import { RUNIT_SERVICE_DIR, serviceManager, unitName } from '../../facts/services.js';
import type { CommandResource } from '../../../schema/generated/resource.js';
import type { PlanStep } from '../../plan/types.js';
import { UNCHANGED_EXIT } from '../sh-lib.js';
import type { ActionScript } from '../types.js';
import { fail, lines, notifiedOnHost, q, type ActionContext } from './common.js';

const SYSTEMD_LIVE = '[ -d /run/systemd/system ]';
const DAEMON_RELOAD = `if [ -e "$W/daemon-reload" ] && ${SYSTEMD_LIVE}; then systemctl daemon-reload; rm -f "$W/daemon-reload"; fi`;
/** supervisord answers on its socket only a moment after (re)starting or being installed: wait up to 10 s. */
const SUPERVISOR_UP = '_n=0; until supervisorctl pid >/dev/null 2>&1 || [ $_n -ge 100 ]; do _n=$((_n + 1)); sleep 0.1; done';
/** Seconds runit gets to pick up a newly linked service (runsvdir scans every 5 s) and to reach a wanted state. */
const RUNIT_WAIT = 15;

/** runit: find the service dir (sv reads it as SVDIR) or fail. */
function runitDir(): string {
  return lines(RUNIT_SERVICE_DIR, `[ -n "$_sd" ] || ${fail('no runit service directory (/etc/service, /var/service, /service)')}`, 'export SVDIR="$_sd"');
}

/** runit: wait (polling) until runsv supervises `name` (its supervise/ok answers), or fail saying so. */
function runitSupervised(name: string): string {
  return lines(
    `_n=0; until sv status ${name} >/dev/null 2>&1; do [ $_n -lt ${RUNIT_WAIT * 10} ] || break; _n=$((_n + 1)); sleep 0.1; done`,
    `sv status ${name} >/dev/null 2>&1 || ${fail(`runsv does not supervise the service after ${RUNIT_WAIT} s (is runsvdir running?)`)}`,
  );
}

/**
 * runit: enabled = linked into the service dir; `sv start|stop` wait until the service runs or is down.
 * Disabling stops the service, then unlinks it (runsvdir then ends its runsv).
 */
function runitServiceScript(name: string, options: { enabled: boolean; running: boolean }): string {
  if (!options.enabled) {
    return lines(runitDir(), `if sv status ${name} >/dev/null 2>&1; then sv -w ${RUNIT_WAIT} stop ${name}; fi`, `rm -f "$_sd"/${name}`);
  }
  return lines(
    runitDir(),
    `[ -e "$_sd"/${name} ] || ln -sfn /etc/sv/${name} "$_sd"/${name}`,
    runitSupervised(name),
    `sv -w ${RUNIT_WAIT} ${options.running ? 'start' : 'stop'} ${name}`,
  );
}

/**
 * service: systemd `enable`/`disable` (works offline too), then `start`/`stop` when systemd runs;
 * supervisor: once supervisord answers, `reread` + `update`, then start/stop; runit: link /etc/sv/<name> into the service dir, wait for runsv, `sv start|stop` (disabled: stop, unlink).
 */
export function serviceAction(resource: DesiredResource<'service'>): ActionScript {
  const spec = resource.spec;
  const running = (spec.state ?? 'running') === 'running';
  const enabled = spec.enabled ?? true;
  const name = q(spec.name);
  switch (serviceManager(resource)) {
    case 'supervisor':
      return { script: lines(
        SUPERVISOR_UP,
        'supervisorctl reread >/dev/null; supervisorctl update >/dev/null',
        running
          ? `supervisorctl status ${name} | grep -q RUNNING || supervisorctl start ${name}`
          : `if supervisorctl status ${name} | grep -q RUNNING; then supervisorctl stop ${name}; fi`,
      ) };
    case 'runit':
      return { script: runitServiceScript(name, { enabled, running }) };
    default: {
      const unit = q(unitName(spec.name));
      return { script: lines(
        DAEMON_RELOAD,
        `systemctl ${enabled ? 'enable' : 'disable'} -q -- ${unit}`,
        `if ${SYSTEMD_LIVE}; then systemctl ${running ? 'start' : 'stop'} -- ${unit}; fi`,
      ) };
    }
  }
}

/**
 * A notified service's handler: restart (or reload) it. A supervisor program's changed config is applied
 * first (reread + update). Unchanged (not failed) where the manager cannot act now: systemd not running as PID 1.
 */
export function handlerAction(resource: DesiredResource<'service'>): ActionScript {
  const spec = resource.spec;
  const reload = spec.onNotify === 'reload';
  const name = q(spec.name);
  switch (serviceManager(resource)) {
    case 'supervisor':
      // `restart` alone keeps the program's old command line: reread + update apply a changed
      // program config first (restarting it once more then, so `restart` still waits for RUNNING).
      return { script: lines(
        SUPERVISOR_UP,
        reload ? `supervisorctl signal HUP ${name}` : `supervisorctl reread >/dev/null; supervisorctl update ${name} >/dev/null; supervisorctl restart ${name}`,
      ) };
    case 'runit':
      // A service linked in this run may not be supervised yet: wait for runsv as the service step does.
      // Not `sv restart`: its check compares whole seconds, so right after a start it reports the old
      // process as restarted and runsv then keeps the service down for a second. stop + start wait for real.
      return { script: lines(
        runitDir(), runitSupervised(name),
        reload ? `sv hup ${name}` : `sv -w ${RUNIT_WAIT} stop ${name} && sv -w ${RUNIT_WAIT} start ${name}`,
      ) };
    default: {
      const unit = q(unitName(spec.name));
      return { script: lines(
        `${SYSTEMD_LIVE} || exit ${UNCHANGED_EXIT}`,
        DAEMON_RELOAD,
        `systemctl ${reload ? 'reload' : 'restart'} -- ${unit}`,
      ) };
    }
  }
}

/** Runs `command` with the resource's cwd, env, user and timeout (0 = none), as the probe runs guards; exits with its status. */
function runAs(spec: CommandResource, command: string, seconds: number): string {
  return runCommandSh({ cwd: spec.cwd, env: spec.env, user: spec.user }, command, seconds);
}

/**
 * command: runs `run` (cwd, env, user, timeout). Its guards (`creates`, `unless`, `onlyIf`) are checked
 * again on the host right before it runs, unless it runs because it was notified or `always` is set.
 */
export function commandAction(resource: DesiredResource<'command'>, _step: PlanStep, context: ActionContext): ActionScript {
  const spec = resource.spec;
  const timeout = spec.timeout === undefined ? 0 : Math.max(1, Math.ceil(Number(spec.timeout)));
  const guardSeconds = timeout === 0 ? 30 : Math.min(timeout, 30);
  const conditions: string[] = [];
  if (!context.notified && spec.always !== true) {
    if (spec.creates !== undefined) conditions.push(`[ ! -e ${q(spec.creates)} ] && [ ! -L ${q(spec.creates)} ]`);
    if (spec.unless !== undefined) conditions.push(`! ${runAs(spec, spec.unless, guardSeconds)}`);
    if (spec.onlyIf !== undefined) conditions.push(runAs(spec, spec.onlyIf, guardSeconds));
  }
  if (context.maybeNotified && spec.always !== true && (spec.refreshOnly || conditions.length > 0)) {
    // Notified only by steps that decide on the host: run when one recorded the notification, else by the guards.
    const notified = notifiedOnHost(resource.id);
    const guard = spec.refreshOnly ? notified : `${notified} || { ${conditions.join(' && ')}; }`;
    conditions.splice(0, conditions.length, guard);
  }
  const script = lines(
    `_rc=0; ${runAs(spec, spec.run, timeout)} || _rc=$?`,
    `if [ $_rc = 124 ] && [ ${timeout} != 0 ]; then echo "drover: timed out after ${timeout}s" >&2; fi; exit $_rc`,
  );
  return conditions.length > 0 ? { guard: conditions.join(' && '), script } : { script };
}
