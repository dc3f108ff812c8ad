/**
 * Reporting back, wired: the event log, the revision tracker (commit statuses), the notification
 * targets (a batcher and a delivery queue each) and the recorder that feeds them from the controller's
 * hooks. startController opens it before anything runs, merges `events` into its own hooks, attaches
 * its context once built, and stops it last. Everything here is off the reconcile path: hooks only
 * append to memory, files and network happen behind them.
 */
import { join } from 'node:path';
import type { ControllerSettings, NotificationSettings } from '../../config/types.js';
import { eventLogSettings } from '../../config/report.js';
import type { Clock, Random, Timer } from '../clock.js';
import type { DaemonContext, DaemonEvents } from '../context.js';
import type { Logger } from '../log.js';
import { Batcher } from './batcher.js';
import { send } from './delivery.js';
import { EventLog, type EventReader } from './event-log.js';
import { DEFAULT_NOTIFIED, type DroverEvent, type NewEvent } from './events.js';
import { fleetFacts, previousRun } from './fleet-facts.js';
import { commitStatusRequest, statusContext, type CommitStatus } from './forge.js';
import { jsonBody, SIGNATURE_HEADER, signBody, slackBody } from './notify-format.js';
import { Outbox } from './outbox.js';
import { openPreviewPosting } from './preview-posting.js';
import { recorderEvents } from './recorder.js';
import { RevisionTracker } from './revision-tracker.js';

/** Entries each delivery queue keeps at most. */
const OUTBOX_MAX = 1000;
/** While a revision waits for its verdict it is judged again at least this often (removed hosts, timers). */
const EVALUATE_EVERY_MS = 2000;
const USER_AGENT = 'drover';

/** What openReport needs. */
export interface ReportOptions {
  settings: ControllerSettings;
  clock: Clock;
  random: Random;
  log: Logger;
  /** The caller's hooks: `delivered` is told of each delivery attempt (metrics). */
  events: DaemonEvents;
}

/** The running report. */
export interface Report {
  /** Hooks to merge into the controller's. */
  events: DaemonEvents;
  /** The event log, for GET /api/v1/events. */
  reader: EventReader;
  /** Gives the report the controller's parts (to judge revisions); call once they exist. */
  attach(ctx: DaemonContext): void;
  /** Starts delivering (statuses and notifications left by the last run go first). */
  start(): void;
  /** Sends open batches to their queues, stops delivering, writes what is pending. */
  stop(): Promise<void>;
}

interface Notifier {
  settings: NotificationSettings;
  outbox: Outbox<string>;
  batcher: Batcher;
  wants: ReadonlySet<string>;
}

/** Opens the event log, the tracker and the delivery queues under `<stateDir>`. Throws E_EVENT_LOG. */
export async function openReport(o: ReportOptions): Promise<Report> {
  const { settings, clock, log } = o;
  const dir = join(settings.stateDir, 'report');
  const eventLog = await EventLog.open({ dir: join(settings.stateDir, 'events'), bounds: settings.eventLog ?? eventLogSettings(undefined), now: () => clock.now(), log });
  const targetUrl = settings.publicUrl === undefined ? undefined : `${settings.publicUrl}/`;
  const statuses = settings.commitStatus && await commitStatusOutbox(o, dir);
  const previews = statuses && await openPreviewPosting({ ...o, dir, context: statusContext(settings.commitStatus!.context, settings.shard), userAgent: USER_AGENT, maxItems: OUTBOX_MAX }, statuses);
  const notifiers = await Promise.all((settings.notifications ?? []).map((n) => notifier(o, dir, n, targetUrl)));
  let ctx: DaemonContext | undefined;
  const record = (event: NewEvent): void => {
    const kept = eventLog.append(event);
    for (const n of notifiers) if (n.wants.has(kept.type)) n.batcher.add(kept);
  };
  const tracker = await RevisionTracker.open({
    file: join(dir, 'revisions.json'), now: () => clock.now(), log, emit: record, facts: () => (ctx ? fleetFacts(ctx) : undefined),
    ...(statuses ? { post: (status: CommitStatus) => statuses.push(status) } : {}), ...(targetUrl ? { targetUrl } : {}),
  });
  const judge = judging(tracker, clock);
  const events: DaemonEvents = {
    ...recorderEvents({ record, tracker, log, startedAt: clock.now(), evaluate: judge.soon, previousRun: (host) => (ctx ? previousRun(ctx, host) : undefined) }),
    ...(previews ? { previewFinished: previews.previewFinished } : {}),
  };
  const outboxes = [...(statuses ? [statuses] : []), ...(previews ? [previews.outbox] : []), ...notifiers.map((n) => n.outbox)];
  return {
    events, reader: eventLog,
    attach: (c) => { ctx = c; },
    start: () => {
      for (const outbox of outboxes) outbox.start();
      judge.start();
    },
    async stop() {
      judge.stop();
      for (const n of notifiers) n.batcher.flushAll();
      await Promise.all(outboxes.map((outbox) => outbox.stop()));
      await eventLog.close();
      await tracker.flush();
    },
  };
}

/** Judges the revision after the current task (coalesced), and on a timer while one is open. */
function judging(tracker: RevisionTracker, clock: Clock): { soon(): void; start(): void; stop(): void } {
  let queued = false;
  let timer: Timer | undefined;
  let started = false;
  let stopped = false;
  const run = (): void => {
    queued = false;
    tracker.evaluate();
    if (started && !stopped && !timer && tracker.open()) {
      timer = clock.setTimer(EVALUATE_EVERY_MS, () => {
        timer = undefined;
        run();
      });
    }
  };
  return {
    soon() {
      if (queued || stopped) return;
      queued = true;
      queueMicrotask(run);
    },
    start() {
      started = true;
      run();
    },
    stop() {
      stopped = true;
      timer?.cancel();
    },
  };
}

async function commitStatusOutbox(o: ReportOptions, dir: string): Promise<Outbox<CommitStatus>> {
  const c = o.settings.commitStatus!;
  const target = { provider: c.provider, apiUrl: c.apiUrl, repository: c.repository, context: statusContext(c.context, o.settings.shard), userAgent: USER_AGENT };
  return Outbox.open<CommitStatus>({
    dir: join(dir, 'outbox', 'commit-status'), target: `commit statuses (${c.provider} ${c.repository})`, clock: o.clock, random: o.random, log: o.log, maxItems: OUTBOX_MAX,
    deliver: (status) => send(commitStatusRequest({ ...target, token: c.token.reveal() }, status), () => o.clock.now()),
    onResult: (result) => o.events.delivered?.({ channel: 'commitStatus', target: c.provider, result }),
  });
}

async function notifier(o: ReportOptions, dir: string, n: NotificationSettings, url: string | undefined): Promise<Notifier> {
  const outbox = await Outbox.open<string>({
    dir: join(dir, 'outbox', `notify-${n.name}`), target: `notification ${n.name}`, clock: o.clock, random: o.random, log: o.log, maxItems: OUTBOX_MAX,
    deliver: (body) => send({ url: n.url.reveal(), headers: notifyHeaders(n, body), body }, () => o.clock.now()),
    onResult: (result) => o.events.delivered?.({ channel: 'notification', target: n.name, result }),
  });
  const format = n.format === 'slack' ? slackBody : jsonBody;
  const batcher = new Batcher({
    windowMs: n.batchWindowMs, clock: o.clock,
    send: (batch) => outbox.push(format({ revision: batch.revision, events: batch.events as DroverEvent[], ...(url ? { url } : {}) })),
  });
  return { settings: n, outbox, batcher, wants: new Set(n.events ?? DEFAULT_NOTIFIED) };
}

function notifyHeaders(n: NotificationSettings, body: string): Record<string, string> {
  return { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...(n.secret ? { [SIGNATURE_HEADER]: signBody(body, n.secret.reveal()) } : {}) };
}
