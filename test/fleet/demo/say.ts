/**
 * How the demo talks: numbered step headings, the commands a user would type (`$ ...`), their output
 * indented, and a structured report (--report FILE, JSON) of what each step observed, rewritten after
 * every step so a test can follow the demo and check each outcome.
 */
import { writeFileSync } from 'node:fs';

const bold = process.stdout.isTTY && !process.env.NO_COLOR;

/** Prints a heading. */
export function say(text: string): void {
  process.stdout.write(bold ? `\n\x1b[1m== ${text}\x1b[0m\n` : `\n== ${text}\n`);
}

/** Prints a command as a user would type it. */
export function shown(command: string): void {
  process.stdout.write(`$ ${command}\n`);
}

/** Prints lines of output, indented. */
export function output(text: string): void {
  for (const line of text.replace(/\n$/, '').split('\n')) process.stdout.write(`  ${line}\n`);
}

/** Prints a plain note. */
export function note(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** What one step observed; `facts` are the values its checks were made on. */
export interface StepReport {
  step: number;
  title: string;
  ok: boolean;
  facts: Record<string, unknown>;
  error?: string;
}

/** The demo's structured report. */
export interface DemoReport {
  phase: 'running' | 'keeping' | 'done' | 'failed';
  url?: string;
  tokenFile?: string;
  workDir?: string;
  tempDir?: string;
  steps: StepReport[];
}

/** Holds the report and writes it to `file` (when given) on every change. */
export class Reporter {
  readonly report: DemoReport = { phase: 'running', steps: [] };

  constructor(private readonly file: string | undefined) {}

  /** Merges `fields` into the report and writes it. */
  update(fields: Partial<DemoReport>): void {
    Object.assign(this.report, fields);
    this.write();
  }

  /** Records a step's outcome and writes the report. */
  step(entry: StepReport): void {
    this.report.steps.push(entry);
    this.write();
  }

  private write(): void {
    if (this.file) writeFileSync(this.file, `${JSON.stringify(this.report, null, 2)}\n`);
  }
}
