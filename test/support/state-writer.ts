/**
 * A child process for the kill test (test/integration/daemon/state-kill.test.ts): opens the store in
 * argv[2] and saves host records as fast as it can, each save growing web1's history by one run (so
 * files keep changing size), printing a line after each (the count
 * goes on from the record found, so web1's history length always equals min(50, its count)). Runs until killed.
 */
import { openStateStore } from '../../controller/daemon/state/state.js';
import { newHostRecord, withRun } from '../../controller/daemon/state/records.js';

/** Enough changed steps that a record is ~0.5 MB: a torn write, if writes could tear, would be likely. */
const STEPS = Array.from({ length: 200 }, (_, i) => `file:/etc/app/conf.d/${i}.conf`);
const { store } = await openStateStore(process.argv[2] as string);
let record = store.host('web1') ?? newHostRecord('web1');
for (let saves = record.consecutiveFailures + 1; ; saves++) {
  record = withRun({ ...record, consecutiveFailures: saves }, {
    id: `r${saves}`, trigger: 'drift', revision: `main@sha1:${'0'.repeat(40)}`, startedAt: saves, dryRun: true, changedSteps: STEPS,
  });
  await Promise.all([store.saveHost(record), store.saveHost({ ...newHostRecord('web2'), consecutiveFailures: saves })]);
  process.stdout.write(`${saves}\n`);
}
