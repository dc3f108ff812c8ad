/**
 * The one way drover holds a secret in memory: a value that never turns into text by accident. JSON,
 * string conversion and util.inspect show a mask, so an object holding one can be logged, stored or
 * sent whole; only reveal() gives the value, at the place it is used. Subclasses say how they show.
 */
import { inspect } from 'node:util';

/** A concealed value; see the module comment. */
export abstract class Concealed {
  // A private field: not an own enumerable property, so spreading or Object.keys() shows nothing.
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** What the value shows as in JSON and strings (on the prototype, so no own property). */
  protected abstract get mask(): string;

  /** The value itself: pass it only to the code that needs it (git, a host write, a compare, masking). */
  reveal(): string {
    return this.#value;
  }

  toJSON(): string {
    return this.mask;
  }

  toString(): string {
    return this.mask;
  }

  [inspect.custom](): string {
    return `${this.constructor.name}(${this.mask})`;
  }
}
