/**
 * The masked diffs a run keeps (RunRecord.diff): taken from the planned run's summary, cut to
 * RUN_DIFF_LINES lines in all with a line saying what was cut, `purge: report` steps left out; and only
 * the newest RUN_DIFFS_KEPT runs of a history keep theirs.
 */
import { describe, expect, it } from 'vitest';
import { runDiff } from '../../../../controller/daemon/state/host-record.js';
import { newHostRecord, RUN_DIFF_LINES, RUN_DIFFS_KEPT, withRun, type PlanSummary, type RunRecord } from '../../../../controller/daemon/state/records.js';

const lines = (n: number, tag: string): string[] => Array.from({ length: n }, (_, i) => `+${tag} ${i}`);

describe('runDiff', () => {
  it('keeps each file step\'s diff, skips steps without one and reported ones', () => {
    const planned: PlanSummary = {
      revision: 'r', inSync: false, counts: {},
      steps: [
        { name: 'regen_a', action: 'update', reasons: [], diff: lines(3, 'a') },
        { name: 'install_pkg', action: 'create', reasons: [] },
        { name: 'purge_x', action: 'delete', reasons: [], diff: ['-x'], report: true },
      ],
    };
    expect(runDiff(planned)).toEqual([{ step: 'regen_a', lines: lines(3, 'a') }]);
  });

  it('cuts at RUN_DIFF_LINES lines in all and says how many were not kept', () => {
    const planned: PlanSummary = {
      revision: 'r', inSync: false, counts: {},
      steps: [
        { name: 'regen_a', action: 'update', reasons: [], diff: lines(RUN_DIFF_LINES - 10, 'a') },
        { name: 'regen_b', action: 'update', reasons: [], diff: lines(25, 'b') },
        { name: 'regen_c', action: 'update', reasons: [], diff: lines(5, 'c') },
      ],
    };
    const kept = runDiff(planned);
    expect(kept.map((d) => [d.step, d.lines.length])).toEqual([['regen_a', RUN_DIFF_LINES - 10], ['regen_b', 11]]);
    expect(kept[1]!.lines.at(-1)).toBe('... 20 more diff lines not kept with the run (the host\'s last plan has them whole)');
  });
});

describe('withRun', () => {
  it('keeps diffs on the newest RUN_DIFFS_KEPT runs only', () => {
    let record = newHostRecord('web1');
    for (let i = 0; i < RUN_DIFFS_KEPT + 3; i++) {
      const run: RunRecord = { id: `r${i}`, trigger: 'drift', revision: 'r', startedAt: i, endedAt: i, dryRun: false, result: 'applied', changedSteps: ['regen_a'], diff: [{ step: 'regen_a', lines: ['+x'] }] };
      record = withRun(record, run);
    }
    expect(record.history.map((r) => r.diff !== undefined)).toEqual([...Array(RUN_DIFFS_KEPT).fill(true), false, false, false]);
    expect(record.history[0]!.id).toBe(`r${RUN_DIFFS_KEPT + 2}`);
  });
});
