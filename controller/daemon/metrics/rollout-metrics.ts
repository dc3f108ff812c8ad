/**
 * Rollout metrics: `drover_rollout_wave{lane}` (1-based wave rolling out; the number of waves once
 * completed) and `drover_rollout_halted{lane}` (1 while halted). One series per lane of the newest good
 * revision; a lane with no rollout any more loses its series.
 */
import { Gauge, type Registry } from 'prom-client';

/** What the gauges need of a lane's rollout (RolloutView fits). */
export interface RolloutMetricsInput {
  lane: string;
  wave: number;
  phase: string;
}

/** The rollout gauges on `registry`. */
export class RolloutMetrics {
  private readonly wave: Gauge<'lane'>;
  private readonly halted: Gauge<'lane'>;

  constructor(registry: Registry) {
    this.wave = new Gauge({ name: 'drover_rollout_wave', help: 'Wave of the staged rollout being rolled out (1-based; the number of waves once completed), per lane.', labelNames: ['lane'], registers: [registry] });
    this.halted = new Gauge({ name: 'drover_rollout_halted', help: '1 while the lane\'s staged rollout is halted (a wave went over its failure budget), else 0.', labelNames: ['lane'], registers: [registry] });
  }

  /** The lanes are exactly these. */
  replace(rollouts: readonly RolloutMetricsInput[]): void {
    this.wave.reset();
    this.halted.reset();
    for (const r of rollouts) {
      this.wave.set({ lane: r.lane }, r.wave);
      this.halted.set({ lane: r.lane }, r.phase === 'Halted' ? 1 : 0);
    }
  }
}
