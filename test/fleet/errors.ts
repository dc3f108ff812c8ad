/** Why the test fleet could not do what was asked (its codes are the harness's own, not drover's registry). */
export class FleetError extends Error {
  readonly code: 'E_FLEET_OPTIONS' | 'E_FLEET_INTERNAL' | 'E_FLEET_PREREQ' | 'E_FLEET_HOST_START' | 'E_FLEET_NO_SLOT';

  /** The fleet host it is about, when there is one. */
  readonly host: string | undefined;

  constructor(code: FleetError['code'], message: string, options: { host?: string } = {}) {
    super(message);
    this.name = 'FleetError';
    this.code = code;
    this.host = options.host;
  }
}
