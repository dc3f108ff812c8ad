/**
 * The controller suite's figures for the comparison table (pure): the in-process controller's
 * times (current build only, see the note) and the `drover controller` process's RSS per build.
 */
import type { Build } from './builds.js';
import type { Figure } from './verdict.js';

/** Resident memory of a controller process once settled (VmRSS) and its peak (VmHWM), kB. */
export interface RssFigures {
  hwmKb: number;
  rssKb: number;
}

/** The controller figures for the comparison table: in-process ones for the current build, the process's RSS per build. */
export function controllerFigures(hosts: number, c: { converge: number[]; drift: number[]; library: number[] }, heavy: Map<Build, RssFigures>, light: Map<Build, RssFigures>, builds: readonly Build[]): Figure[] {
  const note = 'current build only: this in-process controller (the sources, through tsx) follows the remote for the whole run; a baseline controller beside it would take the same commits and apply them to the same hosts at once';
  const started = 'each build\'s `drover controller` process runs with the NODE_OPTIONS of that build\'s deploy/systemd/drover.service (none when it sets none), as deployed';
  const rss = (name: string, m: Map<Build, RssFigures>, pick: (r: RssFigures) => number, max?: number): Figure => ({
    name, unit: 'kB', current: [pick(m.get(builds[0]!)!)], ...(builds[1] ? { baseline: [pick(m.get(builds[1])!)] } : {}),
    ...(max ? { goal: { max, text: `under ${max / 1024} MB` } } : {}), note: started,
  });
  return [
    { name: `controller: commit -> ${hosts} hosts converged`, unit: 'ms', current: c.converge, goal: { max: 1000, text: 'under 1 s' }, note },
    { name: `controller: warm drift check of ${hosts} hosts`, unit: 'ms', current: c.drift, goal: { max: 200, text: 'under 200 ms' }, note },
    { name: `controller: the same check, library alone`, unit: 'ms', current: c.library, note },
    rss('controller process RSS, 1,000 hosts x 50 (settled)', heavy, (r) => r.rssKb, 150 * 1024),
    rss('controller process RSS, 1,000 hosts x 50 (peak)', heavy, (r) => r.hwmKb),
    rss('controller process RSS, 1,000 hosts x 10 (settled)', light, (r) => r.rssKb, 150 * 1024),
  ];
}
