/**
 * A secret value held in memory on the controller (decrypted from secrets/*.age). It never turns
 * into text by accident: JSON, string conversion and util.inspect print `(secret)`, so a DesiredState
 * logged, stored or sent as JSON carries no value. Only reveal() gives it, to the code that writes it
 * to a host or masks it in output.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';

/** A secret value; see the module comment. */
export class SecretValue {
  readonly #value: string;
  readonly #digestKey: Buffer;

  /**
   * `digestKey` keys digest(): give one that only the holder of the value's key has (derived from the
   * age identity), so digests stay stable across loads and restarts; without it, a random key per value.
   */
  constructor(value: string, digestKey?: Buffer) {
    this.#value = value;
    this.#digestKey = digestKey ?? randomBytes(32);
  }

  /**
   * HMAC-SHA256 of the value under the digest key (hex): tells values apart (the controller's
   * "which hosts changed") and is worthless for guessing the value without the key.
   */
  digest(): string {
    return createHmac('sha256', this.#digestKey).update(this.#value, 'utf8').digest('hex');
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
