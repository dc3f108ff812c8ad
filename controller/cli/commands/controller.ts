import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import { hostname } from 'node:os';
import { DroverError, formatProblem } from '../../../manifests/errors.js';
import { ConfigInvalidError, loadControllerConfig, type ConfigOverrides, type ControllerSettings } from '../../config/index.js';
import { startController } from '../../daemon/controller.js';
import { startHttpServer } from '../../daemon/http/server.js';
import { checkListenAllowed } from '../../daemon/http/listen.js';
import { createLogger } from '../../daemon/log.js';
import { registerMetricsRoute, startMetricsServer } from '../../daemon/metrics/metrics-server.js';
import { metricsEvents, scrapeController } from '../../daemon/metrics/metrics-wiring.js';
import { createMetrics } from '../../daemon/metrics/metrics.js';
import { resolveShard } from '../../daemon/revisions/shard-spec.js';
import { resolveSshSettings } from '../../reconcile/ssh-settings.js';
import { setExitCode } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { type CliIo, eprintln } from '../io.js';
import { VERSION } from '../version.js';
import { collect } from '../select.js';

interface ControllerFlags {
  config?: string; repo?: string; branch?: string; stateDir?: string; listen?: string; logLevel?: string;
  knownHosts?: string; identity?: string[]; shard?: string;
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/**
 * `drover controller`: the long-running GitOps controller. Reads its config (or runs from `--repo`
 * alone), logs JSON lines (readable lines on a terminal), and on SIGTERM/SIGINT stops gracefully and
 * exits 0. An invalid config prints every problem as `file:line:col  path  message` and exits 1.
 */
export function registerController(program: Command, io: CliIo, signals: NodeJS.EventEmitter = process): void {
  program
    .command('controller')
    .description('run the GitOps controller: follow a Git repository and keep every host converged')
    .option('--config <file>', 'controller config file (default: drover.config.{yaml,json,js,ts} or .droverrc* in the working directory)')
    .option('--repo <url>', 'manifest repository to follow (URL or local path); replaces source.url')
    .option('--branch <name>', 'branch to follow (default main); replaces source.branch/tag/commit')
    .option('--state-dir <dir>', 'state directory (default $STATE_DIRECTORY, /var/lib/drover as root, else ./.drover-state)')
    .option('--listen <host:port>', 'HTTP listener (replaces listen)')
    .option('--log-level <level>', `log level: ${LOG_LEVELS.join(', ')}`)
    .option('--known-hosts <file>', 'known_hosts for host keys (default: sshKnownHostsFile, $DROVER_KNOWN_HOSTS, ~/.ssh/known_hosts)')
    .option('-i, --identity <file>', 'private key for host logins (repeatable; default: sshIdentityFiles, $DROVER_IDENTITY, ~/.ssh/id_*)', collect)
    .option('--shard <INDEX/COUNT>', 'reconcile only this replica\'s hosts (rendezvous hashing; replaces shard; default in a StatefulSet: the pod ordinal of $DROVER_REPLICAS)')
    .action(async (opts: ControllerFlags, self: Command) => {
      const settings = await loadSettings(io, opts);
      if (!settings) {
        setExitCode(self, ExitCode.error);
        return;
      }
      setExitCode(self, await runController(io, settings, opts, signals));
    });
}

async function loadSettings(io: CliIo, opts: ControllerFlags): Promise<ControllerSettings | undefined> {
  const overrides: ConfigOverrides = {};
  if (opts.repo !== undefined) overrides.repo = opts.repo;
  if (opts.branch !== undefined) overrides.branch = opts.branch;
  if (opts.stateDir !== undefined) overrides.stateDir = opts.stateDir;
  if (opts.listen !== undefined) overrides.listen = opts.listen;
  if (opts.logLevel !== undefined) overrides.logLevel = opts.logLevel as ConfigOverrides['logLevel'];
  try {
    const settings = await loadControllerConfig({
      cwd: io.cwd, env: io.env, isRoot: process.getuid?.() === 0, overrides,
      ...(opts.config === undefined ? {} : { configFile: opts.config }),
    });
    const shard = resolveShard({ env: io.env, hostname: hostname(), ...(opts.shard === undefined ? {} : { flag: opts.shard }), ...(settings.shard ? { configured: settings.shard } : {}) });
    if (shard) settings.shard = shard;
    else delete settings.shard;
    return settings;
  } catch (err) {
    if (err instanceof DroverError && err.code === 'E_SHARD_INVALID') {
      eprintln(io, `drover: ${err.message}; the controller did not start`);
      return undefined;
    }
    if (!(err instanceof ConfigInvalidError)) throw err;
    for (const p of err.problems) eprintln(io, formatProblem(p));
    eprintln(io, `drover: the controller config is invalid (${err.problems.length} problem${err.problems.length === 1 ? '' : 's'}); the controller did not start`);
    return undefined;
  }
}

async function runController(io: CliIo, settings: ControllerSettings, opts: ControllerFlags, signals: NodeJS.EventEmitter): Promise<number> {
  const log = createLogger({ level: settings.logLevel, stream: io.stdout });
  const knownHosts = settings.ssh.knownHostsFile ?? opts.knownHosts;
  const identities = settings.ssh.identityFiles ?? opts.identity;
  const ssh = resolveSshSettings({
    env: io.env, connectTimeoutSeconds: settings.ssh.connectTimeoutMs / 1000,
    ...(knownHosts === undefined ? {} : { knownHosts }), ...(identities === undefined ? {} : { identities }),
  });
  log.info({ config: settings.configFile ?? '(embedded default)', source: { url: settings.source.url, ref: settings.source.ref }, ...(settings.shard ? { shard: `${settings.shard.index}/${settings.shard.count}` } : {}) }, 'starting');
  for (const warning of settings.warnings ?? []) log.warn({ config: settings.configFile }, warning);
  // Refuse an open API on the network before anything starts.
  checkListenAllowed(settings.listen, settings.apiToken !== undefined || (settings.apiTokens?.length ?? 0) > 0);
  const startedAt = Date.now();
  const metrics = createMetrics({ version: VERSION, driftIntervalMs: settings.driftIntervalMs });
  metrics.report.setTargets((settings.notifications ?? []).map((n) => n.name));
  // /metrics on a listener of its own when metricsListen is set, else on the API listener.
  const metricsServer = settings.metricsListen === undefined ? undefined : await startMetricsServer({ metrics, listen: settings.metricsListen });
  if (metricsServer) log.info({ url: `${metricsServer.url}/metrics` }, 'metrics listening');
  const controller = await startController({ settings, ssh, log, events: metricsEvents(metrics) });
  scrapeController(metrics, controller);
  const http = await startHttpServer({
    api: controller, settings, log, startedAt,
    onWebhook: (provider, outcome) => metrics.countWebhook(provider, outcome),
    ...(metricsServer ? {} : { extraRoutes: (app: FastifyInstance) => registerMetricsRoute(app, metrics) }),
  }).catch(async (err: unknown) => {
    await controller.stop();
    await metricsServer?.close();
    throw err;
  });
  await controller.noteAddress(http.url);
  await new Promise<void>((resolve) => {
    const onSignal = (signal: string): void => {
      signals.removeListener('SIGTERM', onSignal);
      signals.removeListener('SIGINT', onSignal);
      log.info({ signal }, `${signal} received`);
      resolve();
    };
    signals.on('SIGTERM', onSignal);
    signals.on('SIGINT', onSignal);
  });
  await http.close();
  await controller.stop();
  await metricsServer?.close();
  return ExitCode.ok;
}
