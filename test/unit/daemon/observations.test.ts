/**
 * The controller's observations (daemon/observations.ts) on a manual clock: one serves a desired state
 * observed by the same probe while it is younger than maxAgeMs; a host forgotten (a run is about to
 * change it) drops it and refuses observations that began before; maxAgeMs 0 keeps nothing.
 */
import { describe, expect, it } from 'vitest';
import { createObservations } from '../../../controller/daemon/observations.js';
import { observationScope } from '../../../controller/reconcile/observe.js';
import type { ObservedState } from '../../../controller/reconcile/types.js';
import { desiredState, file, resource } from '../../support/desired.js';
import { ManualClock } from '../../support/manual-clock.js';

const base = desiredState('web1', [file('/etc/app.conf', 'one\n'), resource('package', 'nginx', { name: 'nginx' })]);
/** The same resources, another content: the same probe. */
const edited = desiredState('web1', [file('/etc/app.conf', 'two\n'), resource('package', 'nginx', { name: 'nginx' })]);
/** A resource more: another probe. */
const grown = desiredState('web1', [...base.resources, file('/etc/other.conf', 'x\n')]);
const observed = (tag: string): ObservedState => ({ host: 'web1', platform: { family: 'debian' } as ObservedState['platform'], resources: {}, observedAt: tag });

describe('observationScope', () => {
  it('is the same for changed contents and differs for another resource set, path or address', () => {
    expect(observationScope(edited)).toBe(observationScope(base));
    expect(observationScope(grown)).not.toBe(observationScope(base));
    const moved = desiredState('web1', [file('/etc/app2.conf', 'one\n'), resource('package', 'nginx', { name: 'nginx' })]);
    expect(observationScope(moved)).not.toBe(observationScope(base));
    // Another address may be another machine.
    const elsewhere = { ...edited, host: { ...edited.host, address: '10.0.0.9' } };
    expect(observationScope(elsewhere)).not.toBe(observationScope(base));
  });
});

describe('createObservations', () => {
  it('serves a same-scope desired state until the entry is older than maxAgeMs', () => {
    const clock = new ManualClock();
    const cache = createObservations({ clock, maxAgeMs: 30_000 });
    cache.record('web1', base, observed('first'), clock.now());
    expect(cache.fresh('web1', base)?.observedAt).toBe('first');
    expect(cache.fresh('web1', edited)?.observedAt).toBe('first');
    expect(cache.fresh('web1', grown)).toBeUndefined();
    expect(cache.fresh('web2', base)).toBeUndefined();
    clock.advance(30_000);
    expect(cache.fresh('web1', base)?.observedAt).toBe('first');
    clock.advance(1);
    expect(cache.fresh('web1', base)).toBeUndefined();
    expect(cache.size()).toBe(0);
  });

  it('forgets a host, and refuses an observation that began before it was forgotten', () => {
    const clock = new ManualClock();
    const cache = createObservations({ clock, maxAgeMs: 30_000 });
    const began = clock.now();
    cache.record('web1', base, observed('before'), began);
    clock.advance(10);
    cache.forget('web1');
    expect(cache.fresh('web1', base)).toBeUndefined();
    cache.record('web1', base, observed('during the apply'), began);
    expect(cache.fresh('web1', base)).toBeUndefined();
    cache.record('web1', base, observed('after'), clock.now());
    expect(cache.fresh('web1', base)?.observedAt).toBe('after');
  });

  it('keeps nothing with maxAgeMs 0', () => {
    const clock = new ManualClock();
    const cache = createObservations({ clock, maxAgeMs: 0 });
    cache.record('web1', base, observed('first'), clock.now());
    expect(cache.fresh('web1', base)).toBeUndefined();
    expect(cache.size()).toBe(0);
  });
});
