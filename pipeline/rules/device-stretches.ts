/** The current stretch of every device whose samples satisfy a predicate (for the throttle and memory rules). */
import type { DeviceSample, DeviceSeries } from './rule-inputs.ts';
import { currentStretch, stretchStarts, type Stretch } from './stretch.ts';

export interface DeviceStretch {
  readonly device: DeviceSeries;
  readonly stretch: Stretch;
  /** The stretch's samples. */
  readonly samples: readonly DeviceSample[];
}

export function deviceStretches(
  devices: readonly DeviceSeries[],
  holds: (s: DeviceSample) => boolean,
  maxGapMs: number,
): (atMs: number) => DeviceStretch[] {
  const indexed = devices.map((device) => ({ device, starts: stretchStarts(device.samples, holds, maxGapMs) }));
  return (atMs) =>
    indexed.flatMap(({ device, starts }) => {
      const stretch = currentStretch(device.samples, starts, atMs, maxGapMs);
      return stretch === null
        ? []
        : [{ device, stretch, samples: device.samples.slice(stretch.first, stretch.last + 1) }];
    });
}
