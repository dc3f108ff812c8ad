/**
 * The bodies notification targets get: the json batch validates against schema/event.schema.json for
 * every event type (and the schema refuses a wrong one), the slack text is escaped and bounded, and the
 * signature is HMAC-SHA256 of the exact body.
 */
import { describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { EVENT_TYPES, type DroverEvent, type NewEvent } from '../../../../controller/daemon/report/events.js';
import { eventLine, jsonBody, shortRevision, signBody, slackBody } from '../../../../controller/daemon/report/notify-format.js';

const REV = `main@sha1:${'ab12cd3'.padEnd(40, '0')}`;
const COMMIT = REV.slice(-40);
const counts = { total: 3, synced: 1, failed: 1, rolledBack: 0, unreachable: 1, halted: 0, blocked: 0, suspended: 0, pending: 0 };

/** One event of each type. */
const SAMPLES: NewEvent[] = [
  { type: 'revision.accepted', revision: REV, commit: COMMIT },
  { type: 'revision.rejected', revision: REV, commit: COMMIT, problems: ['hosts/a.yaml:3:1  port  must be integer'], problemCount: 1 },
  { type: 'revision.finished', revision: REV, commit: COMMIT, state: 'failure', description: '1/3 hosts synced, 1 failed: web3, 1 unreachable: web7', counts, failedHosts: ['web3', 'web7'] },
  { type: 'host.failed', host: 'web3', revision: REV, code: 'E_STEP_FAILED', message: 'exit 1', step: 'file:/etc/x' },
  { type: 'host.rolledBack', host: 'web3', revision: REV, code: 'E_ROLLED_BACK', message: 'restored' },
  { type: 'host.unreachable', host: 'web7', revision: REV, code: 'E_CONNECT_REFUSED', message: 'refused' },
  { type: 'host.driftRepaired', host: 'web1', revision: REV, changedSteps: ['file:/etc/motd'] },
  { type: 'host.conflict', host: 'web1', revision: REV, runId: 'r3', resource: 'file:/etc/motd', code: 'E_RESOURCE_CONFLICT', message: 'drifted back after 3 repairs within 1h', repairs: [1, 2, 3] },
  { type: 'rollout.halted', lane: 'default', revision: REV, wave: 'canary', reason: '2 of 2 failed' },
  { type: 'rollout.resumed', lane: 'default', revision: REV, wave: 'canary', actor: 'oncall' },
  { type: 'run.finished', host: 'web1', revision: REV, runId: 'r1', trigger: 'revision', dryRun: false, result: 'applied', changedSteps: ['a'], durationMs: 12 },
  { type: 'sync.requested', runId: 'r2', hosts: ['web1'], hostCount: 1, dryRun: true, trigger: 'manual', actor: 'ci' },
  { type: 'host.suspended', host: 'web1', actor: 'oncall' },
  { type: 'host.resumed', host: 'web1' },
];
const events: DroverEvent[] = SAMPLES.map((e, i) => ({ ...e, seq: i + 1, at: 1_700_000_000_000 + i }));

const schema = JSON.parse(readFileSync(new URL('../../../../schema/event.schema.json', import.meta.url), 'utf8')) as object;
const validate = new Ajv({ strict: true, allErrors: true }).compile(schema);

describe('json notifications', () => {
  it('covers every event type, and each batch validates against schema/event.schema.json', () => {
    expect(SAMPLES.map((e) => e.type).sort()).toEqual([...EVENT_TYPES].sort());
    const body = JSON.parse(jsonBody({ revision: REV, events, url: 'https://drover.example.com/' })) as unknown;
    expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
    expect(body).toMatchObject({ version: 1, revision: REV, url: 'https://drover.example.com/', omitted: 0 });
    expect(validate(JSON.parse(jsonBody({ revision: undefined, events: events.slice(-2) })))).toBe(true);
  });

  it('the schema refuses what drover never sends (the check can fail)', () => {
    const wrong = (e: Record<string, unknown>) => validate(JSON.parse(jsonBody({ revision: REV, events: [e as never] })));
    expect(wrong({ ...events[0]!, extra: 1 })).toBe(false);
    expect(wrong({ ...events[2]!, state: 'pending' })).toBe(false);
    expect(wrong({ type: 'host.failed', seq: 1, at: 1, host: 'web1' })).toBe(false);
    expect(wrong({ ...events[0]!, type: 'revision.exploded' })).toBe(false);
  });

  it('caps a batch at 500 events and says how many were left out', () => {
    const many = Array.from({ length: 1200 }, (_, i) => ({ ...events[9]!, seq: i + 1 }));
    const body = JSON.parse(jsonBody({ revision: REV, events: many })) as { events: unknown[]; omitted: number };
    expect(body.events).toHaveLength(500);
    expect(body.omitted).toBe(700);
  });

  it('signs the exact body with HMAC-SHA256', () => {
    const body = jsonBody({ revision: REV, events });
    expect(signBody(body, 'secret-0123456789abcdef')).toBe(`sha256=${createHmac('sha256', 'secret-0123456789abcdef').update(body).digest('hex')}`);
    expect(signBody(`${body} `, 'secret-0123456789abcdef')).not.toBe(signBody(body, 'secret-0123456789abcdef'));
  });
});

describe('slack notifications', () => {
  it('one headline, one escaped line per event, at most 20, and the status page', () => {
    const hostile: DroverEvent = { ...events[3]!, message: '<!channel> & <http://evil|click>' } as DroverEvent;
    const text = (JSON.parse(slackBody({ revision: REV, events: [events[0]!, hostile], url: 'https://drover.example.com/' })) as { text: string }).text;
    expect(text).toMatchInlineSnapshot(`
      "*drover* \`main@ab12cd3\`
      • revision main@ab12cd3 accepted
      • web3 failed: E_STEP_FAILED at file:/etc/x: &lt;!channel&gt; &amp; &lt;http://evil|click&gt;
      <https://drover.example.com/|status page>"
    `);
    const long = (JSON.parse(slackBody({ revision: REV, events: Array.from({ length: 25 }, () => events[9]!) })) as { text: string }).text.split('\n');
    expect(long).toHaveLength(1 + 20 + 1);
    expect(long[21]).toBe('… and 5 more events');
  });

  it('says each event in a line', () => {
    expect(events.map(eventLine)).toMatchInlineSnapshot(`
      [
        "revision main@ab12cd3 accepted",
        "revision main@ab12cd3 rejected: 1 problem; hosts/a.yaml:3:1  port  must be integer",
        "revision main@ab12cd3 failure: 1/3 hosts synced, 1 failed: web3, 1 unreachable: web7",
        "web3 failed: E_STEP_FAILED at file:/etc/x: exit 1",
        "web3 rolled back: restored",
        "web7 unreachable: E_CONNECT_REFUSED: refused",
        "web1: drift repaired (file:/etc/motd)",
        "web1: file:/etc/motd in Conflict (E_RESOURCE_CONFLICT): drifted back after 3 repairs within 1h",
        "rollout default halted at wave canary: 2 of 2 failed",
        "rollout default resumed at wave canary (by oncall)",
        "web1: revision run applied (1 step changed)",
        "sync of 1 host requested (dry run) (by ci)",
        "web1 suspended (by oncall)",
        "web1 resumed",
      ]
    `);
    expect(shortRevision('sha1:0123456789abcdef')).toBe('0123456');
  });
});
