/**
 * reconcileHost on a real OpenSSH host: plan mode reports drift and changes nothing, apply mode
 * converges and verifies, a failing step names itself, an unreachable host and a stopped run are
 * outcomes (never rejections).
 */
import { describe, expect, it } from 'vitest';
import { reconcileHost } from '../../../controller/reconcile/pipeline.js';
import type { HostPhase } from '../../../controller/reconcile/types.js';
import { connectSsh } from '../../../controller/transport/ssh.js';
import { DroverError } from '../../../manifests/errors.js';
import { desiredState, file, resource } from '../../support/desired.js';
import { useFleet } from '../../support/fleet.js';
import { sshRun } from '../../support/ssh.js';

const env = useFleet({ count: 1, name: 'reconcile-host' });

const connect = () => connectSsh(env.sshOptions());
const desired = (text: string) => desiredState('host1', [resource('directory', '/srv/rh', { path: '/srv/rh' }), file('/srv/rh/motd', text, { mode: '0644' })]);

describe('reconcileHost', () => {
  it('plan mode: reports drift with the plan and file texts, and changes nothing', async () => {
    const phases: HostPhase[] = [];
    const result = await reconcileHost({ desired: desired('one\n'), transport: connect, mode: 'plan', withTexts: true, onPhase: (p) => phases.push(p) });
    expect(result.outcome).toBe('drift');
    expect(phases).toEqual(['connect', 'observe', 'plan']);
    expect(result.plan?.steps.filter((s) => s.action !== 'none').map((s) => s.name)).toEqual(['install_dir_srv_rh', 'regen_srv_rh_motd']);
    expect(result.texts?.['file:/srv/rh/motd']).toEqual({ after: 'one\n' });
    expect(result.apply).toBeUndefined();
    expect(await sshRun(env.fleet, 'host1', 'test -e /srv/rh/motd && echo yes || echo no')).toBe('no\n');
  });

  it('apply mode: applies, verifies in the same round trip, and a second run is in sync', async () => {
    const phases: HostPhase[] = [];
    let runs = 0;
    const counted = async () => {
      const t = await connect();
      return { ...t, host: t.host, close: () => t.close(), upload: t.upload.bind(t), run: (c: string, o?: Parameters<typeof t.run>[1]) => { runs++; return t.run(c, o); } };
    };
    const result = await reconcileHost({ desired: desired('two\n'), transport: counted, mode: 'apply', withTexts: false, onPhase: (p) => phases.push(p) });
    // One probe, then one run that applies and observes what it left: no third round trip to verify.
    expect(runs).toBe(2);
    expect(result.error).toBeUndefined();
    expect(result.outcome).toBe('applied');
    expect(phases).toEqual(['connect', 'observe', 'plan', 'apply', 'verify']);
    expect(result.verify?.inSync).toBe(true);
    expect(Object.keys(result.phaseDurationsMs).sort()).toEqual(['apply', 'observe', 'plan', 'verify']);
    expect(await sshRun(env.fleet, 'host1', 'cat /srv/rh/motd')).toBe('two\n');
    const again = await reconcileHost({ desired: desired('two\n'), transport: connect, mode: 'apply', withTexts: false });
    expect(again.outcome).toBe('in-sync');
    expect(again.apply).toBeUndefined();
  });

  it('runTests: an in-sync host runs its test_ checks as a health check; a failed check fails the run with its exit code and output', async () => {
    const withTest = (command: string) => ({
      ...desired('two\n'), tests: [{ role: 'web', name: 'health', command, origin: { file: 'roles/web.yaml', line: 1, col: 1 } }],
    });
    const plain = await reconcileHost({ desired: withTest('exit 5'), transport: connect, mode: 'plan', withTexts: false });
    expect(plain.outcome).toBe('in-sync');
    const phases: HostPhase[] = [];
    const sick = await reconcileHost({ desired: withTest('echo not healthy; exit 5'), transport: connect, mode: 'plan', withTexts: false, runTests: true, onPhase: (p) => phases.push(p) });
    expect(phases).toEqual(['connect', 'observe', 'plan', 'verify']);
    expect(sick.outcome).toBe('failed');
    expect(sick.error).toMatchObject({ code: 'E_TEST_FAILED', unreachable: false, step: 'test_web_health', stderrTail: 'not healthy' });
    expect(sick.error?.message).toBe('test_web_health failed (exit 5): not healthy');
    const well = await reconcileHost({ desired: withTest('true'), transport: connect, mode: 'apply', withTexts: false, runTests: true });
    expect(well.outcome).toBe('in-sync');
    expect(well.apply?.steps.map((st) => [st.name, st.status])).toEqual([['test_web_health', 'unchanged']]);
  });

  it('a failing step fails the run, naming the step with its stderr', async () => {
    const failing = desiredState('host1', [resource('command', 'boom', { name: 'boom', run: 'echo kaputt >&2; exit 3', always: true })]);
    const result = await reconcileHost({ desired: failing, transport: connect, mode: 'apply', withTexts: false });
    expect(result.outcome).toBe('failed');
    expect(result.error).toMatchObject({ code: 'E_STEP_FAILED', unreachable: false });
    expect(result.error?.step).toMatch(/boom/);
    expect(result.error?.stderrTail).toContain('kaputt');
  });

  it("a failing command's output leaves the host with every secret there masked: generated in this run, declared, or left in the secrets dir", async () => {
    await sshRun(env.fleet, 'host1', 'mkdir -p /var/lib/drover/secrets && printf "left-behind-value-0123\\n" > /var/lib/drover/secrets/old');
    const leaky = desiredState('host1', [
      resource('secret', 'gen', { name: 'gen', length: 24 }),
      resource('command', 'leak', {
        name: 'leak', always: true, dependsOn: ['secret:gen'],
        run: 'echo "gen=$(cat /var/lib/drover/secrets/gen)" >&2; echo "old=$(cat /var/lib/drover/secrets/old)"; exit 2',
      }),
    ]);
    const result = await reconcileHost({ desired: leaky, transport: connect, mode: 'apply', withTexts: false });
    const generated = (await sshRun(env.fleet, 'host1', 'cat /var/lib/drover/secrets/gen')).trim();
    expect(generated).toHaveLength(24);
    expect(result.error).toMatchObject({ code: 'E_STEP_FAILED' });
    expect(result.error?.stderrTail).toContain('gen={{drover-secret:gen}}');
    expect(result.error?.stderrTail).toContain('old={{drover-secret:old}}');
    expect(JSON.stringify(result)).not.toContain(generated);
    expect(JSON.stringify(result)).not.toContain('left-behind-value-0123');
  });

  it('an unreachable host is an outcome, not a rejection', async () => {
    const transport = () => connectSsh(env.sshOptions(0, { port: 1, address: '127.0.0.1', connectTimeoutMs: 2000 }));
    const result = await reconcileHost({ desired: desired('x\n'), transport, mode: 'apply', withTexts: false });
    expect(result.outcome).toBe('unreachable');
    expect(result.error?.unreachable).toBe(true);
  });

  it('a stopped run says why: the signal reason, or a timeout', async () => {
    const slow = desiredState('host1', [resource('command', 'slow', { name: 'slow', run: 'sleep 30', always: true })]);
    const controller = new AbortController();
    const running = reconcileHost({
      desired: slow, transport: connect, mode: 'apply', withTexts: false,
      onPhase: (p) => { if (p === 'apply') setImmediate(() => controller.abort(new DroverError('E_SHUTDOWN', 'the controller is shutting down'))); },
      signal: controller.signal,
    });
    const result = await running;
    expect(result.outcome).toBe('failed');
    expect(result.error?.code).toBe('E_SHUTDOWN');
    expect(result.error?.message).toContain('goes on on the host by itself');
    const aborted = AbortSignal.abort(new Error('timeout'));
    const timedOut = await reconcileHost({ desired: slow, transport: connect, mode: 'apply', withTexts: false, signal: aborted });
    expect(timedOut.error?.code).toBe('E_RUN_TIMEOUT');
  });
});
