/** Helpers of the facts integration tests: a run-counting Transport, a set-up script (desired states: test/support/desired.ts). */
import { expect } from 'vitest';
import type { Transport } from '../../../controller/transport/types.js';

/** Delegates to `inner` and records every run() (command and stdout), so tests can count round trips. */
export class CountingTransport implements Transport {
  readonly runs: { command: string; stdout: Buffer }[] = [];
  constructor(private readonly inner: Transport) {}
  get host(): string {
    return this.inner.host;
  }
  async run(command: string, options?: Parameters<Transport['run']>[1]): ReturnType<Transport['run']> {
    const result = await this.inner.run(command, options);
    this.runs.push({ command, stdout: result.stdout });
    return result;
  }
  upload(...args: Parameters<Transport['upload']>): ReturnType<Transport['upload']> {
    return this.inner.upload(...args);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** Runs a setup script on the host and fails the test when it exits non-zero. */
export async function setUp(t: Transport, script: string): Promise<void> {
  const result = await t.run(script);
  expect(result.code, `${script}\n${result.stderr.toString()}`).toBe(0);
}
