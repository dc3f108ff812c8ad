/**
 * Problems as GitHub Actions workflow commands (`::error file=F,line=L,col=C::message`), so a CI job's
 * `drover validate -o github` shows each problem on the pull request's diff, at its line. Pure.
 */
import { isAbsolute, join, relative } from 'node:path';
import type { ManifestProblem } from '../../manifests/errors.js';

/**
 * The annotation of `problem`. Its file is given relative to `cwd` (GitHub resolves it against the
 * checkout, where the job runs), `root` being the manifest repository; line and column only when known.
 */
export function githubAnnotation(problem: ManifestProblem, paths: { root: string; cwd: string }): string {
  const full = isAbsolute(problem.file) ? problem.file : join(paths.root, problem.file);
  const file = relative(paths.cwd, full) || '.';
  const where = [`file=${property(file)}`, ...(problem.line > 0 ? [`line=${problem.line}`] : []), ...(problem.col > 0 ? [`col=${problem.col}`] : [])];
  const message = problem.path ? `${problem.path}: ${problem.message}` : problem.message;
  return `::error ${where.join(',')},title=drover validate::${data(message)}`;
}

/** A command's message: `%`, CR and LF escaped as GitHub documents. */
function data(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A command's property value: as data, plus `:` and `,`. */
function property(text: string): string {
  return data(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
