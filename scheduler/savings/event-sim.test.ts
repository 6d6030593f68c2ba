import { describe, expect, it } from 'vitest';
import type { NodeSpec, PodRequest } from '../cluster.ts';
import { bestFitPolicy } from '../policies/best-fit.ts';
import { computeWorkloadShapes } from '../workload-shapes.ts';
import { simulateEvents, type Job } from './event-sim.ts';
import { recommendedRequest } from './recommend.ts';

const node: NodeSpec = { name: 'n0', cpuMilli: 8000, memoryMib: 65536, gpuCount: 1, gpuModel: 'T4' };
const pod = (name: string, gpuMilli: number, gpuCount = 1): PodRequest => ({
  name,
  cpuMilli: 1000,
  memoryMib: 1024,
  gpuCount,
  gpuMilli,
  gpuSpec: [],
});
const run = (jobs: Job[], nodes = [node], endS = 86_400) =>
  simulateEvents({
    nodes,
    jobs,
    policy: bestFitPolicy,
    workload: computeWorkloadShapes(jobs.map((j) => j.pod)),
    seed: 1,
    usdPerGpuHour: () => 2,
    endS,
  });

describe('event simulation', () => {
  it('a pod waits in the queue until the pod holding the GPU departs', () => {
    // a: 0..3600 on the only GPU; b arrives at 600, starts at 3600 (waited 3000 s); mean 1500 s.
    const r = run([
      { pod: pod('a', 1000), arriveS: 0, durationS: 3600 },
      { pod: pod('b', 1000), arriveS: 600, durationS: 1800 },
    ]);
    expect(r.started).toBe(2);
    expect(r.meanQueueS).toBe(1500);
    // The GPU is empty after 5400 s of the 86,400 s window: 93.75 %.
    expect(r.unallocatedGpuPct).toBe(93.75);
  });

  it('costs GPU-hours held times the price, and counts idle GPU time', () => {
    // 1 GPU × 1 h + 0.5 GPU × 2 h = 2 GPU-hours at $2 = $4; both share the GPU (no queue).
    const r = run([
      { pod: pod('a', 1000), arriveS: 0, durationS: 3600 },
      { pod: pod('b', 500), arriveS: 3600, durationS: 7200 },
    ]);
    expect(r.gpuHours).toBe(2);
    expect(r.costUsd).toBe(4);
    expect(r.meanQueueS).toBe(0);
    // Two nodes, a 3 h window: the second GPU is empty all 3 h, the first never: 50 %.
    const two = run(
      [
        { pod: pod('a', 1000), arriveS: 0, durationS: 3600 },
        { pod: pod('b', 500), arriveS: 3600, durationS: 7200 },
      ],
      [node, { ...node, name: 'n1' }],
      3 * 3600,
    );
    expect(two.unallocatedGpuPct).toBe(50);
  });

  it('counts only the window: GPU-hours up to its end, and the wait of a pod still queued', () => {
    // Window 2 h: a holds the GPU 0..2 h (2 GPU-h counted of 3), b arrives at 1 h and still waits at 2 h.
    const r = run(
      [
        { pod: pod('a', 1000), arriveS: 0, durationS: 3 * 3600 },
        { pod: pod('b', 1000), arriveS: 3600, durationS: 3600 },
      ],
      [node],
      2 * 3600,
    );
    expect(r.gpuHours).toBe(2);
    expect(r.started).toBe(1);
    expect(r.neverStarted).toBe(1);
    expect(r.meanQueueS).toBe(1800); // (0 + 3600) / 2
  });

  it('two half-GPU pods share the GPU instead of queueing', () => {
    const r = run([
      { pod: pod('a', 500), arriveS: 0, durationS: 3600 },
      { pod: pod('b', 500), arriveS: 0, durationS: 3600 },
    ]);
    expect(r.meanQueueS).toBe(0);
  });
});

describe('applied recommendation', () => {
  const usage = (utilizationPct: number, memoryBytes: number) => ({
    utilizationPct: Array.from({ length: 600 }, () => utilizationPct),
    memoryBytes: Array.from({ length: 600 }, () => memoryBytes),
    hours: 10,
  });
  const GIB = 2 ** 30;

  it('shrinks a whole GPU to a share: 20 % busy at an 80 % target, 4 of 32 GiB → 250 milli', () => {
    // compute 20/80 = 0.25; memory 4 × 1.05 / 32 = 0.13: 250 milli (a 50-milli step).
    expect(recommendedRequest(pod('a', 1000), usage(20, 4 * GIB), 32 * GIB)).toMatchObject({
      gpuCount: 1,
      gpuMilli: 250,
    });
  });

  it('right-sizes a 4-GPU pod 30 % busy per GPU to 2 GPUs', () => {
    // demand 4 × 0.3 = 1.2 GPUs / 0.8 = 1.5 → 2 GPUs.
    expect(recommendedRequest(pod('a', 1000, 4), usage(30, GIB), 32 * GIB)).toMatchObject({
      gpuCount: 2,
      gpuMilli: 1000,
    });
  });

  it('leaves a busy pod as it is', () => {
    expect(recommendedRequest(pod('a', 1000), usage(95, GIB), 32 * GIB)).toBeNull();
  });
});
