import { driftCount } from '../../daemon/http/page/format.js';
import { type CliIo, println } from '../io.js';
import { renderTable } from '../table.js';
import { conflictLines } from '../conflict-lines.js';
import { createControllerClient } from './http-client.js';
import { resolveEndpoint, type EndpointFlags } from './endpoint.js';

/** `drover hosts --controller URL`: the live status of every host, from a running controller. */
export async function showLiveHosts(io: CliIo, flags: EndpointFlags, output: 'text' | 'json'): Promise<void> {
  const client = createControllerClient(await resolveEndpoint(io, flags));
  const [status, hosts] = await Promise.all([client.status(), client.hosts()]);
  if (output === 'json') {
    println(io, JSON.stringify({ status, hosts }, null, 2));
    return;
  }
  const rejected = status.validation.state === 'rejected' ? `  (rejected: ${status.revisions.newest})` : '';
  println(io, `revision: ${status.revisions.lastGood ?? '(none accepted yet)'}${rejected}`);
  println(io, renderTable(
    ['HOST', 'STATUS', 'APPLIED REVISION', 'LAST ATTEMPT', 'DRIFT', 'BLOCKED BY', 'REASON'],
    hosts.map((h) => [
      h.host, h.status, h.lastAppliedRevision ?? '-', h.lastAttemptAt ? new Date(h.lastAttemptAt).toISOString() : '-',
      String(driftCount(h.lastPlan)), h.blockedBy?.kind ?? '-', h.blockedBy?.reason ?? h.reason,
    ]),
  ));
  for (const line of conflictLines(hosts)) println(io, line);
}
