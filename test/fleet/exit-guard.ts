/**
 * Kills this process's running fleets when the process ends without stop(): on 'exit'
 * (normal end, process.exit, an uncaught error) and on SIGINT/SIGTERM/SIGHUP. The
 * handlers are synchronous (no event loop runs in an 'exit' handler). This is the one
 * piece of process-wide state of the fleet library: signal handlers are process-wide.
 */
const guarded = new Set<() => void>();
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function killAllSync(): void {
  for (const kill of [...guarded]) {
    guarded.delete(kill);
    try {
      kill();
    } catch {
      // Keep going: the other fleets must still be killed; reapStaleFleets() finishes the rest.
    }
  }
}

/**
 * Only when no one else listens: then our listener replaced the default action (end the
 * process), so we kill the fleets and end the process by the signal as intended. Another
 * listener (a CLI that stops its fleet cleanly) decides itself; 'exit' remains the backstop.
 */
function onSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return;
  killAllSync();
  uninstall();
  process.kill(process.pid, signal);
}

function install(): void {
  process.on('exit', killAllSync);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstall(): void {
  process.removeListener('exit', killAllSync);
  for (const signal of SIGNALS) process.removeListener(signal, onSignal);
}

/**
 * Registers `killSync` to run if the process ends while the fleet runs; returns the
 * function that unregisters it (call it from stop()).
 */
export function guardFleet(killSync: () => void): () => void {
  if (guarded.size === 0) install();
  guarded.add(killSync);
  return () => {
    guarded.delete(killSync);
    if (guarded.size === 0) uninstall();
  };
}
