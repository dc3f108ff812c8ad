/**
 * How to run the bench against a baseline and read its ratios: a section of docs/benchmarks.md that
 * renderMarkdown (report.ts) writes at the top of every regenerated document.
 */

/** The section's markdown lines. */
export function howToSection(): string[] {
  return [
    '## Running the bench against a baseline, and reading the ratios',
    '',
    '```sh',
    'npm run bench -- start                       # CLI start figures, no fleet: `drover --version`, `drover validate` vs `node -e 0`',
    'npm run bench -- drover --baseline HEAD~5    # drover\'s CLI rounds + warm check on BENCH_HOSTS fleet hosts, this checkout vs HEAD~5',
    'npm run bench -- start load --markdown docs/benchmarks.md   # also write the comparison table into this file',
    'npm run bench -- scale --baseline none       # the current build alone',
    'npm run bench                                # everything with Ansible (long), against the default baseline',
    '```',
    '',
    '- Suites: all, ansible, drover, scale, observe, load, start, controller, http, scale-controller, preview (`npm run bench -- --help`); several may be named. The fleet suites need root and the fleet\'s packages (`bash test/fleet/prepare-machine.sh --quiet`); `start` and `load` need no fleet.',
    '- Every run builds the current checkout (`npm run build`) and, unless `--baseline none`, a baseline: the ref given, by default the last tag (else HEAD~20). The baseline is checked out with `git worktree add` under the OS temp dir, gets the current node_modules through a symlink (or `npm ci --offline` when its lock names packages the current one lacks), is built there, and is removed at the end (also on Ctrl-C). The bench code is always the current checkout\'s; only drover differs.',
    '- Both builds are measured in the same run, taking turns (A B in one run, B A in the next, ...), so load from other work falls on both alike. CLI and controller processes run each build\'s own bin/drover.js; in-process figures (warm drift check, observation, loading manifests) import each build\'s dist/ modules. Figures that are not measured for the baseline (the in-process controller, the HTTP API, the 1,000-host controller) show the current build only and say why in the notes.',
    '- The run ends with one table: FIGURE, CURRENT and BASELINE (medians of that figure\'s samples), RATIO = current / baseline, GOAL and MET?. Below 1.00x the current build is faster (or smaller). **WORSE** marks a figure whose current median is more than 10% above the baseline\'s median *and* above the baseline\'s highest sample: slower beyond the noise that run showed. "better" is the mirror image; no mark means the same within noise. WORSE? (better?) is the same rule on a figure of one sample per build (the controller\'s RSS): no spread to judge the noise by, so run again before believing it. A samples table (min / median / max and count per build) shows the spread behind each median.',
    '- Goals are judged on the current build: the performance goals below, and for the CLI\'s start `drover --version` at most 1.5x and `drover validate examples/quickstart` at most 2.5x `node -e 0` measured in the same rounds (ratios, so a slow or busy machine does not fail them on its own).',
    '- The project\'s rule: speed and memory are compared with a baseline built and measured in the same run, never asserted as wall-clock limits in tests; a change that leaves a figure marked WORSE is not done. Run again to tell a regression from a busy moment: a real one stays marked.',
    '- `--markdown FILE` writes the table into FILE between the guard section\'s two marker comments (`bench:guard`, on lines of their own) (other suites\' rewrites of this file keep it). Settings: BENCH_RUNS (3), BENCH_HOSTS (20), BENCH_SCALE (50,200), BENCH_START_RUNS (15), BENCH_SCALE_HOSTS (1000), BENCH_OUT (docs/benchmarks.md).',
  ];
}
