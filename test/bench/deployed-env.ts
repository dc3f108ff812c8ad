/**
 * A bench's `drover controller` process runs with the environment its build deploys it with: the
 * NODE_OPTIONS of that build's deploy/systemd/drover.service (the Containerfile sets the same, which
 * test/unit/deploy/containerfile.test.ts checks). A build whose unit sets none runs without, whatever
 * the bench's own environment holds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The NODE_OPTIONS of the systemd unit under `root` (a build's checkout), or undefined when it sets none. */
export function deployedNodeOptions(root: string): string | undefined {
  const unit = readFileSync(join(root, 'deploy/systemd/drover.service'), 'utf8');
  let found: string | undefined;
  for (const line of unit.split('\n')) {
    if (!line.startsWith('Environment=')) continue;
    // systemd: space-separated assignments, each optionally in double quotes; a later one wins.
    for (const match of line.slice('Environment='.length).matchAll(/"([^"]*)"|(\S+)/g)) {
      const assignment = match[1] ?? match[2]!;
      if (assignment.startsWith('NODE_OPTIONS=')) found = assignment.slice('NODE_OPTIONS='.length);
    }
  }
  return found;
}

/** `env` (default: this process's) with NODE_OPTIONS as the build under `root` deploys the controller. */
export function deployedEnv(root: string, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const { NODE_OPTIONS: _ours, ...rest } = env;
  const options = deployedNodeOptions(root);
  return options === undefined ? rest : { ...rest, NODE_OPTIONS: options };
}
