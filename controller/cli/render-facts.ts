import type { Fact, ObservedState } from '../reconcile/types.js';

/** One line per observed resource: its id and the facts that matter, in words. */
export function renderFacts(observed: ObservedState, address: string): string {
  const p = observed.platform;
  const lines = [`${observed.host} (${address}): ${p.id} ${p.version}, ${p.packageManager}, ${p.initSystem}`];
  const ids = Object.keys(observed.resources);
  const width = Math.min(50, Math.max(...ids.map((id) => id.length), 0));
  for (const id of ids) lines.push(`  ${id.padEnd(width)}  ${describeFact(observed.resources[id] as Fact)}`);
  return lines.join('\n');
}

/** A short description of a fact. Never includes secret values (facts never hold them). */
export function describeFact(fact: Fact): string {
  switch (fact.kind) {
    case 'package': return fact.installed ? `installed ${fact.version ?? ''}`.trim() : 'not installed';
    case 'file': case 'directory': case 'symlink':
      return describePath(fact);
    case 'line': return fact.fileExists ? `${fact.present ? 'present' : 'absent'}${fact.matches ? `, ${fact.matches} regexp matches` : ''}` : 'file absent';
    case 'user': return fact.exists ? `uid ${fact.uid} gid ${fact.gid} home ${fact.home} shell ${fact.shell}${fact.groups.length ? ` groups ${fact.groups.join(',')}` : ''}` : 'absent';
    case 'group': return fact.exists ? `gid ${fact.gid}` : 'absent';
    case 'service': return fact.known ? `${fact.manager} ${fact.enabled ? 'enabled' : 'disabled'}, ${fact.live ? (fact.active ? 'active' : 'inactive') : 'state unknown (not live)'}` : `${fact.manager}: not found`;
    case 'command': return describeGuards(fact);
    case 'git': return fact.exists ? (fact.isRepo ? `checkout at ${fact.head?.slice(0, 12) ?? '(no commits)'}${fact.branch ? ` on ${fact.branch}` : ''}${fact.dirty ? ', dirty' : ''}` : 'not a git checkout') : 'absent';
    case 'secret': return fact.exists ? `exists (${fact.mode} ${fact.owner}:${fact.group}); value not read` : 'absent';
    case 'ssh_key': return fact.exists ? `exists; public key: ${fact.publicKey ?? '(no .pub)'}` : 'absent';
    case 'cron': return fact.exists ? `present sha256 ${fact.sha256?.slice(0, 8)}` : 'absent';
    case 'sysctl': return fact.exists ? `value ${JSON.stringify(fact.value)}${fact.persisted ? ', persisted' : ', not persisted'}` : 'no such key';
  }
}

function describePath(fact: Extract<Fact, { kind: 'file' | 'directory' | 'symlink' }>): string {
  if (!fact.exists) return 'absent';
  const attrs = `${fact.type} ${fact.mode} ${fact.owner}:${fact.group}`;
  if (fact.kind === 'file' && fact.sha256) return `${attrs} sha256 ${fact.sha256.slice(0, 8)} (${fact.size} bytes)`;
  if (fact.kind === 'symlink' && fact.target !== undefined) return `${attrs} -> ${fact.target}`;
  return attrs;
}

function describeGuards(fact: Extract<Fact, { kind: 'command' }>): string {
  const parts: string[] = [];
  if (fact.createsExists !== undefined) parts.push(`creates ${fact.createsExists ? 'exists' : 'absent'}`);
  if (fact.unlessOk !== undefined) parts.push(`unless ${fact.unlessOk ? 'ok' : `failed (${fact.unlessStatus})`}`);
  if (fact.onlyIfOk !== undefined) parts.push(`onlyIf ${fact.onlyIfOk ? 'ok' : `failed (${fact.onlyIfStatus})`}`);
  return parts.join(', ') || 'no guard';
}
