/**
 * How the controller's parts change a host's record: through the store's one writer (updateHost), with
 * the status derived afresh and the drift schedule's view kept current. `change` gets the newest record;
 * never pass a record read before an `await` back in.
 */
import { driftFactsOf, statusContext, type DaemonContext } from '../context.js';
import { newHostRecord, type HostRecord } from './records.js';
import { withStatus } from './status.js';

/** Changes `host`'s record (see StateStore.updateHost); `saved` is readable at once, `written` resolves on disk. */
export function updateHost(ctx: DaemonContext, host: string, change: (record: HostRecord) => HostRecord | undefined): { saved: HostRecord; written: Promise<void> } {
  const out = ctx.store.updateHost(host, (record) => {
    const next = change(record);
    return next && withStatus(next, statusContext(ctx, host));
  }, newHostRecord);
  ctx.driftFacts.set(host, driftFactsOf(out.saved));
  ctx.events.recordSaved?.(out.saved);
  return out;
}
