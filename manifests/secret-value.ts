/**
 * A secret value held in memory on the controller (decrypted from secrets/*.age). It never turns
 * into text by accident: JSON, string conversion and util.inspect print `(secret)`, so a DesiredState
 * logged, stored or sent as JSON carries no value. Only reveal() gives it, to the code that writes it
 * to a host or masks it in output.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { Concealed } from './concealed.js';

/** A secret value; see the module comment. */
export class SecretValue extends Concealed {
  readonly #digestKey: Buffer;

  /**
   * `digestKey` keys digest(): give one that only the holder of the value's key has (derived from the
   * age identity), so digests stay stable across loads and restarts; without it, a random key per value.
   */
  constructor(value: string, digestKey?: Buffer) {
    super(value);
    this.#digestKey = digestKey ?? randomBytes(32);
  }

  /**
   * HMAC-SHA256 of the value under the digest key (hex): tells values apart (the controller's
   * "which hosts changed") and is worthless for guessing the value without the key.
   */
  digest(): string {
    return createHmac('sha256', this.#digestKey).update(this.reveal(), 'utf8').digest('hex');
  }

  protected get mask(): string {
    return '(secret)';
  }
}
