/**
 * A clock for tests: time stands still until `advance` moves it, and timers fire exactly when their
 * due time is reached, in due-time order (ties in the order they were set). A timer set by a firing
 * timer fires in the same `advance` if it falls due within it.
 */
import type { Clock, Random, Timer } from '../../controller/daemon/clock.js';

interface Pending {
  dueAt: number;
  seq: number;
  fn: () => void;
}

/** A Clock whose time moves only when the test says so. */
export class ManualClock implements Clock {
  private time: number;
  private seq = 0;
  private pending: Pending[] = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimer(ms: number, fn: () => void): Timer {
    const entry: Pending = { dueAt: this.time + Math.max(0, ms), seq: this.seq++, fn };
    this.pending.push(entry);
    return { cancel: () => { this.pending = this.pending.filter((p) => p !== entry); } };
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way, each at its due time. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (let next = this.nextDue(end); next; next = this.nextDue(end)) {
      this.pending = this.pending.filter((p) => p !== next);
      this.time = next.dueAt;
      next.fn();
    }
    this.time = end;
  }

  /** Moves time to the next pending timer and fires it (and any due at the same instant); false when none. */
  advanceToNextTimer(): boolean {
    const next = this.nextDue(Infinity);
    if (!next) return false;
    this.advance(next.dueAt - this.time);
    return true;
  }

  /** Number of timers not yet fired or cancelled. */
  pendingTimers(): number {
    return this.pending.length;
  }

  /** Due time of the earliest pending timer, if any. */
  nextTimerAt(): number | undefined {
    return this.nextDue(Infinity)?.dueAt;
  }

  private nextDue(limit: number): Pending | undefined {
    let best: Pending | undefined;
    for (const p of this.pending) {
      if (p.dueAt > limit) continue;
      if (!best || p.dueAt < best.dueAt || (p.dueAt === best.dueAt && p.seq < best.seq)) best = p;
    }
    return best;
  }
}

/**
 * A deterministic Random (mulberry32): the same seed gives the same sequence, so fixture files can hold
 * exact jittered delays.
 */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
