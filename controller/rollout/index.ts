/** Staged rollouts and maintenance windows: pure policy logic (imports manifests types only). */
export { assignWaves, failureBudget, type AssignedWave } from './waves.js';
export { hostsByLane, rolloutOf, windowsOf } from './lanes.js';
export { activeSince, windowVerdict, type WindowVerdict } from './windows.js';
export {
  heldHosts, heldReason, isReleased, judge, phaseOf, recordResult, resumeRollout, startRollout, waveHold, waveOf,
  type RolloutPhase, type RolloutProgress, type WaveHold, type WaveResult,
} from './progress.js';
export {
  isWaitingText, orderWaves, waitingFor, waitingText,
  type AwaitedHost, type DependencyLookup, type WaitingForHosts,
} from './dependencies.js';
