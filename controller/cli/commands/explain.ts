import type { Command } from 'commander';
import { resolve } from 'node:path';
import { DroverError } from '../../../manifests/errors.js';
import type { DroverEvent } from '../../daemon/report/events.js';
import { createControllerClient } from '../client/http-client.js';
import { resolveEndpoint, type EndpointFlags } from '../client/endpoint.js';
import { endpointOptions } from '../client/options.js';
import { parseOutput } from '../context.js';
import { type CliIo, println } from '../io.js';
import { renderExplanation, type Explanation } from '../render-explain.js';
import { hostEvents, readStateDir } from '../state-dir.js';

interface ExplainFlags extends EndpointFlags {
  stateDir?: string;
  runs: string;
  events: string;
  output: string;
}

/**
 * `drover explain HOST`: why a host is not Synced on the newest good revision (its one `blockedBy`
 * cause), with the runs and the event log entries that led there. Asks a running controller (like
 * `drover sync`), or with --state-dir reads a controller's state directory (read only; what only the
 * running controller knows, such as its breakers and retry times, is then absent).
 */
export function registerExplain(program: Command, io: CliIo): void {
  endpointOptions(program
    .command('explain')
    .description('say why a host is not on the newest good revision, with the runs and events that led there')
    .argument('<host>', 'host name')
    .option('--state-dir <dir>', "read a controller's state directory instead of asking a running controller")
    .option('--runs <n>', 'runs to show', '10')
    .option('--events <n>', 'event log entries to show', '20')
    .option('-o, --output <format>', 'text or json', 'text'))
    .action(async (host: string, opts: ExplainFlags) => {
      const output = parseOutput(opts.output);
      const limits = { runs: count(opts.runs, '--runs'), events: count(opts.events, '--events') };
      const explanation = opts.stateDir !== undefined
        ? await fromStateDir(resolve(io.cwd, opts.stateDir), host, limits.events)
        : await fromController(io, opts, host, limits.events);
      println(io, output === 'json' ? JSON.stringify(explanation, null, 2) : renderExplanation(explanation, limits));
    });
}

function count(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 1000) throw new DroverError('E_USAGE', `${flag} ${text}: give a whole number from 0 to 1000`);
  return n;
}

async function fromController(io: CliIo, flags: EndpointFlags, host: string, events: number): Promise<Explanation> {
  const endpoint = await resolveEndpoint(io, flags);
  const client = createControllerClient(endpoint);
  const [status, detail, page] = await Promise.all([
    client.status(), client.host(host), events ? client.events({ host, order: 'desc', limit: events }) : { events: [] as DroverEvent[] },
  ]);
  return {
    host: detail.host, status: detail.status, reason: detail.reason, ...(detail.blockedBy ? { blockedBy: detail.blockedBy } : {}),
    ...(status.revisions.lastGood ? { desiredRevision: status.revisions.lastGood } : {}),
    ...(detail.lastAppliedRevision ? { lastAppliedRevision: detail.lastAppliedRevision } : {}),
    ...(detail.lastError ? { lastError: detail.lastError } : {}),
    ...(detail.conflicts?.length ? { conflicts: detail.conflicts } : {}), ...(detail.rebootRequired ? { rebootRequired: detail.rebootRequired } : {}),
    history: detail.history, events: page.events, from: endpoint.url,
  };
}

async function fromStateDir(stateDir: string, host: string, events: number): Promise<Explanation> {
  const view = await readStateDir(stateDir, Date.now());
  const shown = view.hosts.find((h) => h.host === host);
  const record = view.records.get(host);
  if (!shown || !record) {
    const known = view.hosts.map((h) => h.host);
    throw new DroverError('E_HOST_UNKNOWN', `no host "${host}" in the state directory ${stateDir}${known.length ? ` (it has ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', ...' : ''})` : ' (it has no hosts yet)'}`);
  }
  return {
    host, status: shown.status, reason: shown.reason, ...(shown.blockedBy ? { blockedBy: shown.blockedBy } : {}),
    ...(view.source.lastGoodRevision ? { desiredRevision: view.source.lastGoodRevision } : {}),
    ...(record.lastAppliedRevision ? { lastAppliedRevision: record.lastAppliedRevision } : {}),
    ...(record.lastError ? { lastError: record.lastError } : {}),
    ...(record.conflicts?.length ? { conflicts: record.conflicts } : {}), ...(record.rebootRequired ? { rebootRequired: record.rebootRequired } : {}),
    history: record.history, events: events ? await hostEvents(stateDir, host, events) : [], from: stateDir,
  };
}
