/**
 * The README's first command ends in `npm run demo`. This runs it as `--keep --report FILE` and checks
 * what each step did, from the demo's report and, independently, from the Git remote it created and
 * the controller it left running (API and /metrics); then Ctrl-C (SIGINT) must stop everything,
 * remove every file and exit 0.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostDetail, HostView } from '../../controller/daemon/api.js';
import { ROOT } from '../support/paths.js';
import { wildcardPort22Taken } from '../fleet/listeners.js';
import { poll, PollAborted } from '../support/poll.js';
import type { DemoReport, StepReport } from '../fleet/demo/say.js';

const reportDir = mkdtempSync(join(tmpdir(), 'drover-demo-test-'));
const reportFile = join(reportDir, 'report.json');
let demo: ChildProcess;
let stdout = '';
let stderr = '';
let exited: Promise<number | null>;
let report: DemoReport;
let token: string;

function readReport(): DemoReport | undefined {
  try {
    return JSON.parse(readFileSync(reportFile, 'utf8')) as DemoReport;
  } catch {
    return undefined;
  }
}

/** Polls the report until the demo keeps running; fails at once when the demo fails or exits. */
function untilKeeping(): Promise<DemoReport> {
  let ended = false;
  void exited.then(() => { ended = true; });
  return poll('the demo to get to --keep', () => {
    const current = readReport();
    if (current?.phase === 'keeping') return current;
    if (current?.phase === 'failed' || ended) throw new PollAborted(`the demo did not get to --keep:\n${stdout}\n${stderr}`);
    return undefined;
    // The whole demo runs in beforeAll: up to a little under its 120 s hookTimeout (vitest.config.ts).
  }, { everyMs: 200, timeoutMs: 110_000 });
}

function step(n: number): StepReport {
  const found = report.steps.find((s) => s.step === n);
  expect(found, `step ${n} in the report`).toBeDefined();
  expect(found!.error).toBeUndefined();
  expect(found!.ok).toBe(true);
  return found!;
}

async function api<T>(path: string): Promise<T> {
  const response = await fetch(`${report.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status, path).toBe(200);
  return (await response.json()) as T;
}

/** The commits of main in the demo's bare remote, oldest first. */
function remoteCommits(): string[] {
  return execFileSync('git', ['--git-dir', join(report.tempDir!, 'remote.git'), 'rev-list', '--reverse', 'main'], { encoding: 'utf8' }).trim().split('\n');
}

beforeAll(async () => {
  demo = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/fleet/demo.ts'), '--keep', '--report', reportFile], {
    cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  demo.stdout!.on('data', (c: Buffer) => { stdout += c.toString(); });
  demo.stderr!.on('data', (c: Buffer) => { stderr += c.toString(); });
  exited = new Promise((resolve) => demo.on('close', resolve));
  report = await untilKeeping();
  token = readFileSync(report.tokenFile!, 'utf8').trim();
});

afterAll(async () => {
  if (demo.exitCode === null) {
    demo.kill('SIGINT');
    await exited;
  }
  rmSync(reportDir, { recursive: true, force: true });
});

describe('npm run demo -- --keep', () => {
  it('1: the first convergence puts every host on the first commit of the remote', () => {
    const facts = step(1).facts as { revision: string; hosts: Record<string, { status: string; revision: string }>; web1Run: { result: string; revision: string; changedSteps: string[] } };
    expect(facts.revision).toBe(`main@sha1:${remoteCommits()[0]}`);
    expect(facts.hosts).toEqual(Object.fromEntries(['web1', 'web2', 'web3'].map((h) => [h, { status: 'Synced', revision: facts.revision }])));
    // web1's converging run installed the package, made the directory and wrote both files.
    expect(facts.web1Run).toMatchObject({ result: 'applied', revision: facts.revision });
    expect(facts.web1Run.changedSteps).toEqual(expect.arrayContaining(['aptget_tree', expect.stringMatching(/hello_txt$/), expect.stringMatching(/motd$/)]));
  });

  it('2: a commit announced by a signed webhook converges every host to it', () => {
    const facts = step(2).facts as { commit: string; webhook: { status: number; body: unknown }; hosts: Record<string, { revision: string }>; content: string };
    expect(facts.commit).toBe(remoteCommits()[1]);
    expect(facts.webhook).toEqual({ status: 202, body: { ignored: false, fetch: 'triggered', ref: 'refs/heads/main' } });
    for (const host of Object.values(facts.hosts)) expect(host.revision).toBe(`main@sha1:${facts.commit}`);
    expect(facts.content).toContain('Hello from drover, announced by a webhook!');
    expect(stdout).toMatch(/curl -s -H 'Content-Type: application\/json' -H 'X-GitHub-Event: push' -H "X-Hub-Signature-256: sha256=\$SIG"/);
  });

  it('3: a bad commit is rejected whole with file:line:col errors, hosts stay on the good revision, the revert is picked up', () => {
    const facts = step(3).facts as { commit: string; goodRevision: string; problems: string[]; hosts: Record<string, { status: string; revision: string }>; web2Content: string; fixRevision: string; validationAfterFix: string };
    const commits = remoteCommits();
    expect(facts.commit).toBe(commits[2]);
    expect(facts.goodRevision).toBe(`main@sha1:${commits[1]}`);
    expect(facts.problems).toEqual([
      'hosts/web1.yaml:20:5  resources[1].ownr  unknown key "ownr"; did you mean "owner"?',
      expect.stringMatching(/^hosts\/web3\.yaml:4:1 {2}prot {2}unknown key "prot"/),
    ]);
    for (const host of Object.values(facts.hosts)) expect(host).toEqual({ status: 'Rejected', revision: facts.goodRevision });
    expect(facts.web2Content).not.toContain('never applied');
    expect(facts.fixRevision).toBe(`main@sha1:${commits[3]}`);
    expect(facts.validationAfterFix).toBe('valid');
    expect(stdout).toContain('  hosts/web1.yaml:20:5  resources[1].ownr  unknown key "ownr"; did you mean "owner"?');
  });

  it('4: drift made by hand on web2 is found by a drift check and repaired', async () => {
    const facts = step(4).facts as { host: string; run: { id: string; trigger: string; result: string; changedSteps: string[] }; contentBefore: string; contentAfter: string };
    expect(facts.host).toBe('web2');
    expect(facts.run).toMatchObject({ trigger: 'drift', result: 'applied' });
    expect(facts.run.changedSteps).toContainEqual(expect.stringMatching(/^regen_(srv_quickstart_)?hello_txt$/));
    expect(facts.contentAfter).toBe(facts.contentBefore);
    // The controller's own record of web2 holds that run.
    const web2 = await api<HostDetail>('/api/v1/hosts/web2');
    expect(web2.history.find((r) => r.id === facts.run.id)).toMatchObject({ trigger: 'drift', result: 'applied' });
  });

  it('5: drover sync --wait exits 0 and drover hosts --controller lists every host Synced', () => {
    const facts = step(5).facts as { syncExit: number; hostsExit: number; hostsOutput: string };
    expect(facts.syncExit).toBe(0);
    expect(facts.hostsExit).toBe(0);
    for (const host of ['web1', 'web2', 'web3']) expect(facts.hostsOutput).toMatch(new RegExp(`^${host}\\s+Synced\\s`, 'm'));
    expect(stdout).toContain('$ drover sync --wait\n');
    expect(stdout).toContain(`$ drover hosts --controller ${report.url}\n`);
  });

  it('6: shows /metrics lines, and the controller it left running serves the same', async () => {
    const facts = step(6).facts as { lines: string[] };
    expect(facts.lines).toContain('drover_host_status{host="web2",status="Synced"} 1');
    const metrics = await (await fetch(`${report.url}/metrics`)).text();
    expect(metrics).toContain('drover_webhook_requests_total{provider="github",result="accepted"} 3');
    expect(metrics).toContain('drover_manifest_valid 1');
  });

  it('leaves the controller running on the last good revision, its status page up, and prints its URLs, token and commands to try', async () => {
    const status = await api<{ revisions: { lastGood: string }; validation: { state: string } }>('/api/v1/status');
    expect(status.revisions.lastGood).toBe(`main@sha1:${remoteCommits()[3]}`);
    expect(status.validation.state).toBe('valid');
    const { hosts } = await api<{ hosts: HostView[] }>('/api/v1/hosts');
    expect(hosts.map((h) => [h.host, h.status])).toEqual([['web1', 'Synced'], ['web2', 'Synced'], ['web3', 'Synced']]);
    const page = await fetch(`${report.url}/`, { headers: { authorization: `Bearer ${token}` } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    for (const host of ['web1', 'web2', 'web3']) expect(html).toContain(host);
    expect(stdout).toContain(`status page   ${report.url}/ `);
    expect(stdout).toContain(`metrics       ${report.url}/metrics`);
    expect(stdout).toContain(`token         ${token} `);
    expect(stdout).toContain('drover sync --host web1 --dry-run --wait');
  });

  it('stops on Ctrl-C: exits 0, the controller is gone, every file removed, nothing on *:22', async () => {
    demo.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(readReport()?.phase).toBe('done');
    expect(existsSync(report.tempDir!)).toBe(false);
    await expect(fetch(`${report.url}/healthz`)).rejects.toThrow();
    expect(stderr).not.toContain('demo failed');
    expect(wildcardPort22Taken()).toBe(false);
  });
});
