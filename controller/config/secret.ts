import { inspect } from 'node:util';

/**
 * A credential read from a file or the environment (a git token, the API token, the webhook
 * secret). It shows as `***` when logged, printed, inspected or serialised, so a config or an
 * object holding one can be logged whole; only `reveal()` gives the value, at the place it is used.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The value itself: pass it only to the library that needs it (git, a constant-time compare). */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return '***';
  }

  toJSON(): string {
    return '***';
  }

  [inspect.custom](): string {
    return 'Secret(***)';
  }
}
