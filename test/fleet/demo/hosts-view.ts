/** Waiting for and showing the hosts as the controller reports them. */
import type { HostView } from '../../../controller/daemon/api.js';
import { liveHosts } from './controller.js';
import { shortRevision, type DemoContext } from './context.js';
import { output, shown } from './say.js';
import { waitUntil } from './wait.js';

/** Resolves with every host once all are Synced with `revision` applied; DemoStepFailed after `timeoutMs`. */
export function waitAllSynced(ctx: DemoContext, revision: string, timeoutMs: number): Promise<HostView[]> {
  let last: HostView[] = [];
  return waitUntil(`every host Synced on ${shortRevision(revision)}`, async () => {
    last = await liveHosts(ctx.ctl);
    const done = last.length === ctx.world.hosts.length && last.every((h) => h.status === 'Synced' && h.lastAppliedRevision === revision);
    return done ? last : undefined;
  }, { timeoutMs, lastSeen: () => last.map((h) => `${h.host} ${h.status} ${shortRevision(h.lastAppliedRevision)} ${h.reason}`).join('; ') });
}

/** host -> { status, revision } for the report. */
export function hostFacts(hosts: HostView[]): Record<string, { status: string; revision: string | null }> {
  return Object.fromEntries(hosts.map((h) => [h.host, { status: h.status, revision: h.lastAppliedRevision ?? null }]));
}

/** A reason cut to fit a line, revisions shortened. */
function brief(reason: string): string {
  const short = reason.replace(/main@sha1:([0-9a-f]{7})[0-9a-f]{33}/g, 'main@$1');
  return short.length > 90 ? `${short.slice(0, 89)}…` : short;
}

/** Prints the curl a user would type for GET /api/v1/hosts and the answer as a table. */
export function showHosts(ctx: DemoContext, hosts: HostView[]): void {
  shown(`curl -s -H "Authorization: Bearer $(cat ${ctx.world.tokenFile})" ${ctx.ctl.url}/api/v1/hosts   # shown as a table`);
  output(hosts.map((h) => `${h.host.padEnd(6)} ${h.status.padEnd(10)} ${shortRevision(h.lastAppliedRevision).padEnd(14)} ${brief(h.reason)}`).join('\n'));
}
