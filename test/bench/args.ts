/**
 * The command line of `npm run bench -- [suite...] [--baseline REF|none] [--markdown FILE]`: pure
 * parsing, so the rules are unit-tested (test/unit/bench/args.test.ts).
 */

/** Every suite `npm run bench` knows; several may be named, they run in the order given. */
export const SUITES = ['all', 'ansible', 'drover', 'scale', 'observe', 'load', 'start', 'controller', 'http', 'scale-controller', 'preview', 'page'] as const;
/** One of SUITES. */
export type Suite = (typeof SUITES)[number];

/** Which build to measure beside the current one: the default (last tag, else HEAD~20), none, or a git ref as given. */
export type BaselineChoice = { kind: 'default' } | { kind: 'none' } | { kind: 'ref'; ref: string };

/** What the command line asks for. */
export interface BenchArgs {
  /** Suites in the order given, without repeats; ['all'] when none is named. */
  suites: Suite[];
  baseline: BaselineChoice;
  /** Where to write the comparison table as markdown (a marked section of that file). */
  markdown?: string;
  help: boolean;
}

/** One line per suite, for --help and the error on an unknown suite. */
export const USAGE = `usage: npm run bench -- [suite...] [--baseline REF|none] [--markdown FILE]
suites: ${SUITES.join(', ')} (default: all)
--baseline REF   also build REF in a temporary git worktree and measure it beside the current build
                 (default: the last tag, else HEAD~20; none: the current build alone)
--markdown FILE  write the comparison table into FILE (between <!-- bench:guard --> markers)`;

const isSuite = (word: string): word is Suite => (SUITES as readonly string[]).includes(word);

/** Splits `--name=value` into its parts; other words come back whole. */
function splitOption(word: string): [string, string | undefined] {
  const eq = word.indexOf('=');
  return word.startsWith('--') && eq > 0 ? [word.slice(0, eq), word.slice(eq + 1)] : [word, undefined];
}

/** The baseline as written on the command line: `none`, or a ref (`default` is what no option means). */
export function baselineChoice(value: string): BaselineChoice {
  return value === 'none' ? { kind: 'none' } : { kind: 'ref', ref: value };
}

/**
 * Parses the words after `npm run bench --`. Throws an Error naming the problem (unknown suite or
 * option, an option without its value, an empty value); never reads the environment.
 */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const out: BenchArgs = { suites: [], baseline: { kind: 'default' }, help: false };
  for (let i = 0; i < argv.length; i++) {
    const [word, inline] = splitOption(argv[i]!);
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '' || (inline === undefined && v.startsWith('--'))) throw new Error(`${word} needs a value\n${USAGE}`);
      return v;
    };
    if (word === '--help' || word === '-h') out.help = true;
    else if (word === '--baseline') out.baseline = baselineChoice(value());
    else if (word === '--markdown') out.markdown = value();
    else if (word.startsWith('-')) throw new Error(`unknown option ${word}\n${USAGE}`);
    else if (!isSuite(word)) throw new Error(`unknown bench suite "${word}"\n${USAGE}`);
    else if (!out.suites.includes(word)) out.suites.push(word);
  }
  if (out.suites.length === 0) out.suites.push('all');
  return out;
}

/** The ref to build when no --baseline was given: the last tag when there is one, else HEAD~20. */
export function defaultBaselineRef(lastTag: string | undefined): string {
  return lastTag?.trim() ? lastTag.trim() : 'HEAD~20';
}
