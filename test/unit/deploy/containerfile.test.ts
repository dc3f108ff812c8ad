/**
 * deploy/container/Containerfile, parsed with dockerfile-ast: multi-stage on Node 20 slim, the final
 * stage non-root with git, ssh and tini (as the entrypoint), a HEALTHCHECK on /readyz, state on a
 * volume, config and keys where the Kubernetes objects mount them, the systemd unit's NODE_OPTIONS, and every COPY source present in
 * the repository. (Whether the image builds on this machine: see docs/deploy.md, "Container".)
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { ROOT } from '../../support/paths.js';
import { deployedNodeOptions } from '../../bench/deployed-env.js';

const text = readFileSync(join(ROOT, 'deploy/container/Containerfile'), 'utf8');
const dockerfile = DockerfileParser.parse(text);

interface Stage { name: string; from: string; instructions: Instruction[] }

/** The stages in order, each with its instructions (FROM starts one). */
function stages(): Stage[] {
  const out: Stage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    const args = instruction.getArguments().map((a) => a.getValue());
    if (instruction.getKeyword() === 'FROM') out.push({ from: args[0]!, name: args[2] ?? '', instructions: [] });
    else out.at(-1)?.instructions.push(instruction);
  }
  return out;
}
const all = stages();
const final = all.at(-1)!;
const lines = text.split('\n');
/** An instruction's text after its keyword, flags included, continuation lines joined. */
function raw(instruction: Instruction): string {
  const { start, end } = instruction.getRange();
  const parts = lines.slice(start.line, end.line + 1);
  parts[parts.length - 1] = parts.at(-1)!.slice(0, end.character);
  parts[0] = parts[0]!.slice(start.character);
  return parts.map((l) => l.replace(/\\\s*$/, '').trim()).join(' ').replace(/^\S+\s+/, '').replace(/\s+/g, ' ');
}
const of = (stage: Stage, keyword: string): string[] => stage.instructions.filter((i) => i.getKeyword() === keyword).map(raw);

describe('deploy/container/Containerfile', () => {
  it('is multi-stage, every stage named and on the Node 20 slim image', () => {
    expect(all.map((s) => s.name)).toEqual(['build', 'install', 'runtime']);
    const image = dockerfile.getInitialARGs().map((a) => a.getProperty()).find((p) => p?.getName() === 'NODE_IMAGE')?.getValue();
    expect(image).toMatch(/^(docker\.io\/library\/)?node:20(\.\d+)*-[a-z]+-slim$/);
    expect(all.every((s) => s.from === '${NODE_IMAGE}')).toBe(true);
    // The runtime gets only what the install stage made: no sources, no dev dependencies.
    expect(of(final, 'COPY')).toEqual(['--from=install /opt/drover /opt/drover']);
    expect(of(all[1]!, 'RUN').join(' ')).toMatch(/--omit=dev/);
  });

  it('runs as a non-root user, with tini as PID 1, git and ssh installed', () => {
    const user = of(final, 'USER');
    expect(user).toHaveLength(1);
    expect(user[0]!.split(':')[0]).not.toMatch(/^(root|0)$/);
    expect(final.instructions.at(-1)!.getKeyword()).toBe('CMD');
    expect(of(final, 'ENTRYPOINT')).toEqual(['["/usr/bin/tini", "--", "drover"]']);
    const installed = of(final, 'RUN').join(' ').match(/apt-get install ([^&]+)/)?.[1]?.split(/\s+/) ?? [];
    expect(installed).toEqual(expect.arrayContaining(['git', 'openssh-client', 'tini', '--no-install-recommends']));
  });

  it('checks health on /readyz, keeps state on a volume, reads config and keys where they are mounted', () => {
    const health = of(final, 'HEALTHCHECK');
    expect(health).toHaveLength(1);
    expect(health[0]).toMatch(/^--interval=\S+ --timeout=\S+ --start-period=\S+ --retries=\d+ CMD \["node", "-e", "fetch\(process\.env\.DROVER_HEALTH_URL\)/);
    expect(of(final, 'ENV').join(' ')).toMatch(/DROVER_HEALTH_URL=http:\/\/127\.0\.0\.1:8080\/readyz/);
    expect(of(final, 'VOLUME')).toEqual(['["/var/lib/drover"]']);
    expect(of(final, 'ENV').join(' ')).toMatch(/STATE_DIRECTORY=\/var\/lib\/drover/);
    expect(of(final, 'CMD')).toEqual(['["controller", "--config", "/etc/drover/config/drover.config.yaml"]']);
    // The same path the StatefulSet passes (deploy/kubernetes/statefulset.yaml).
    expect(readFileSync(join(ROOT, 'deploy/kubernetes/statefulset.yaml'), 'utf8')).toContain('"--config", "/etc/drover/config/drover.config.yaml"');
  });

  it('runs node with the NODE_OPTIONS of the systemd unit (the young generation capped, docs/deploy.md "Memory")', () => {
    const env = of(final, 'ENV').join(' ');
    const options = deployedNodeOptions(ROOT);
    expect(options).toMatch(/^--max-semi-space-size=\d+$/);
    expect(env).toContain(`NODE_OPTIONS=${options} `);
  });

  it('copies only files that exist in the repository', () => {
    const sources = of(all[0]!, 'COPY').flatMap((args) => args.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(5);
    expect(sources.filter((s) => !existsSync(join(ROOT, s)))).toEqual([]);
  });
});
