/**
 * Bounds on what rendering a template may cost: a template comes from whoever can open a pull request,
 * and nested loops over `range(100000)` would block the controller (health checks, webhooks, SSH
 * keepalives) and grow its memory without end. Each render (one file, one inline text) gets a time, an
 * output and a loop budget; a repository's renders share a time and an output budget. Going over one
 * throws TemplateBudgetError, which the render reports at the template's file:line like any template error.
 *
 * Nunjucks compiles templates to plain loops, so the checks sit where compiled code calls into its
 * runtime: every loop iteration and `set` (Frame.set), every loop start (fromIterator), call (callWrap)
 * and printed value (suppressValue), and `range()` before it builds its list. Like the sandbox
 * (template-sandbox.ts) this patches nunjucks' one runtime process-wide; the budget in force is the one of
 * the render running now (renders are synchronous, so at most one runs at a time).
 */
import nunjucks from 'nunjucks';

/** Budgets of renders (a legitimate config file renders in milliseconds and kilobytes). */
export interface RenderLimits {
  fileMs: number;
  fileBytes: number;
  loopIterations: number;
  repositoryMs: number;
  repositoryBytes: number;
}

/** The limits drover renders with. */
export const RENDER_LIMITS: RenderLimits = {
  /** Per render. */
  fileMs: 2_000,
  fileBytes: 16 * 1024 * 1024,
  loopIterations: 1_000_000,
  /** Per repository (every render of one load). */
  repositoryMs: 60_000,
  repositoryBytes: 256 * 1024 * 1024,
};

/** A render went over its budget; the message names the budget and how to stay under it. */
export class TemplateBudgetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateBudgetError';
  }
}

/** What a repository's renders have spent so far, and their limits (one per template engine). */
export interface RepositoryBudget {
  limits: RenderLimits;
  spentMs: number;
  spentBytes: number;
}

interface Active {
  repository: RepositoryBudget;
  startedAt: number;
  bytes: number;
  iterations: number;
  ticks: number;
}

let active: Active | undefined;

/** A fresh repository budget (RENDER_LIMITS unless tests give smaller ones). */
export function repositoryBudget(limits: RenderLimits = RENDER_LIMITS): RepositoryBudget {
  return { limits, spentMs: 0, spentBytes: 0 };
}

/** Runs one render under its own budget and `repository`'s; what it spent is charged to `repository`. */
export function withinBudget<T>(repository: RepositoryBudget, render: () => T): T {
  const outer = active;
  const mine: Active = { repository, startedAt: performance.now(), bytes: 0, iterations: 0, ticks: 0 };
  active = mine;
  try {
    return render();
  } finally {
    active = outer;
    // An include or import renders inside its parent: the parent's render is charged for both.
    if (!outer) {
      repository.spentMs += performance.now() - mine.startedAt;
      repository.spentBytes += mine.bytes;
    }
  }
}

/** Charges `bytes` of output (or of a value being built) and checks the time; throws TemplateBudgetError. */
function charge(bytes: number): void {
  const a = active;
  if (!a) return;
  const limits = a.repository.limits;
  a.bytes += bytes;
  if (a.bytes > limits.fileBytes) throw over(`more than ${mib(limits.fileBytes)} of output`, 'render less, or split it across files');
  if (a.repository.spentBytes + a.bytes > limits.repositoryBytes) throw over(`more than ${mib(limits.repositoryBytes)} of output for the whole repository`, 'render less');
  // Reading the clock on every call would cost more than the checks: every 64th is often enough.
  if ((a.ticks++ & 63) !== 0) return;
  const ms = performance.now() - a.startedAt;
  if (ms > limits.fileMs) throw over(`more than ${limits.fileMs / 1000} s of rendering`, 'loop or recurse less (nested loops and recursive macros multiply)');
  if (a.repository.spentMs + ms > limits.repositoryMs) throw over(`more than ${limits.repositoryMs / 1000} s of rendering for the whole repository`, 'render less');
}

function iterate(count: number): void {
  const a = active;
  if (!a) return;
  const limits = a.repository.limits;
  a.iterations += count;
  if (a.iterations > limits.loopIterations) throw over(`more than ${limits.loopIterations.toLocaleString('en')} loop iterations`, 'loop over less (nested loops multiply)');
}

function over(what: string, fix: string): TemplateBudgetError {
  return new TemplateBudgetError(`the template went over its budget: ${what}; ${fix}`);
}

function mib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MiB` : `${bytes.toLocaleString('en')} bytes`;
}

function sizeOf(value: unknown): number {
  if (typeof value === 'string') return value.length;
  return value instanceof String ? value.length : 8;
}

interface BudgetRuntime {
  fromIterator: (arr: unknown) => unknown;
  callWrap: (obj: unknown, name: string, context: unknown, args: unknown[]) => unknown;
  suppressValue: (val: unknown, autoescape: boolean) => unknown;
  Frame: { prototype: { set: (name: string, val: unknown, resolveUp?: boolean) => void } };
  __droverBudgeted?: boolean;
}

/** Installs the checks in nunjucks' runtime (idempotent); outside withinBudget they cost one comparison. */
export function budgetTemplateRuntime(): void {
  const runtime = (nunjucks as unknown as { runtime: BudgetRuntime }).runtime;
  if (runtime.__droverBudgeted) return;
  const { fromIterator, callWrap, suppressValue } = runtime;
  const set = runtime.Frame.prototype.set;
  runtime.fromIterator = (arr) => {
    charge(0);
    return fromIterator(arr);
  };
  runtime.callWrap = (obj, name, context, args) => {
    charge(0);
    return callWrap(obj, name, context, args);
  };
  runtime.suppressValue = (val, autoescape) => {
    const out = suppressValue(val, autoescape);
    charge(sizeOf(out));
    return out;
  };
  runtime.Frame.prototype.set = function (this: unknown, name: string, val: unknown, resolveUp?: boolean) {
    if (name === 'loop.index') iterate(1);
    const limits = active?.repository.limits;
    if (limits && typeof val === 'string' && val.length > limits.fileBytes) throw over(`a value of more than ${mib(limits.fileBytes)}`, 'build smaller values');
    charge(0);
    set.call(this, name, val, resolveUp);
  };
  runtime.__droverBudgeted = true;
}

/** Refuses a filter argument that asks for more output than a render may make (`center(10**9)`). */
export function checkFilterArguments(args: readonly unknown[]): void {
  const limits = active?.repository.limits;
  if (!limits) return;
  for (const arg of args) {
    if (typeof arg === 'number' && arg > limits.fileBytes) throw over(`a filter asked for ${arg.toLocaleString('en')} characters`, 'ask for less');
  }
}

/**
 * `range()` that refuses, before building it, a list longer than a render's loop budget (nunjucks'
 * own would allocate it whole). Same arguments as nunjucks' range.
 */
export function boundedRange(range: (start: number, stop?: number, step?: number) => number[]): (start: number, stop?: number, step?: number) => number[] {
  return (start, stop, step) => {
    const [from, to] = stop === undefined ? [0, start] : [start, stop];
    const by = step ?? 1;
    const length = by === 0 ? Infinity : Math.max(0, Math.ceil((to - from) / by));
    const most = active?.repository.limits.loopIterations ?? RENDER_LIMITS.loopIterations;
    if (length > most) throw over(`range() of ${length.toLocaleString('en')} numbers (at most ${most.toLocaleString('en')})`, 'loop over less');
    return range(start, stop, step);
  };
}
