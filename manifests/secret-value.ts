/**
 * A secret value held in memory on the controller (decrypted from secrets/*.age). It never turns
 * into text by accident: JSON, string conversion and util.inspect print `(secret)`, so a DesiredState
 * logged, stored or sent as JSON carries no value. Only reveal() gives it, to the code that writes it
 * to a host or masks it in output.
 */
import { inspect } from 'node:util';

/** A secret value; see the module comment. */
export class SecretValue {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The value itself; for writing it to the host or masking it, never for printing. */
  reveal(): string {
    return this.#value;
  }

  toJSON(): string {
    return '(secret)';
  }

  toString(): string {
    return '(secret)';
  }

  [inspect.custom](): string {
    return 'SecretValue((secret))';
  }
}
