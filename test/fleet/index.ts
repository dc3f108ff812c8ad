/**
 * The test fleet: real, isolated OpenSSH hosts on this machine (see /work/shared/FLEET.md).
 * Integration tests, benchmarks and demos start one with startFleet() and stop it in afterAll.
 */
export { startFleet } from './fleet.js';
export { reapStaleFleets } from './cleanup.js';
export { checkFleetPrerequisites } from './preflight.js';
export { readSshBanner } from './ready.js';
export { FLEET_ROOT } from './slots.js';
export type { Fleet, FleetHost, StartFleetOptions } from './types.js';
