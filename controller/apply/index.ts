/**
 * The apply engine: runs a host's Plan through its Transport (one round trip), with backups, automatic
 * restore on failure, handlers that survive failed runs, hooks, tests and pruning.
 */
export { applyPlan, runCommand, runHostScript, BUSY_EXIT, MISSING_TOOL_EXIT, type ApplyPlanArgs } from './execute.js';
export { verifyConverged } from './verify.js';
export { restoreFromBackup, restoreFromPristine, restorePurged, type RestoreArgs } from './restore.js';
export { buildHostScript, stepRuns, type HostScript, type ScriptEntry, type BuildScriptArgs } from './script.js';
export { inventoryIds } from './inventory.js';
export { restoreAction, backupIndexName } from './actions/index.js';
export type { ApplyOptions, ApplyResult, StepResult, StepStatus, PublicKeyReport } from './types.js';
