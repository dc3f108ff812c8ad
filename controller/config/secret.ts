import { Concealed } from '../../manifests/concealed.js';

/**
 * A credential read from a file or the environment (a git token, the API token, the webhook
 * secret). It shows as `***` when logged, printed, inspected or serialised, so a config or an
 * object holding one can be logged whole; only `reveal()` gives the value, at the place it is used.
 */
export class Secret extends Concealed {
  protected get mask(): string {
    return '***';
  }
}
