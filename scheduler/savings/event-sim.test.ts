import { describe, expect, it } from 'vitest';
import type { NodeSpec, PodRequest } from '../cluster.ts';
import { bestFitPolicy } from '../policies/best-fit.ts';
import { computeWorkloadShapes } from '../workload-shapes.ts';
import { simulateEvents, type Autoscaler, type Job } from './event-sim.ts';
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
const run = (jobs: Job[], nodes = [node], endS = 86_400, autoscaler?: Autoscaler) =>
  simulateEvents({
    nodes,
    jobs,
    policy: bestFitPolicy,
    workload: computeWorkloadShapes(jobs.map((j) => j.pod)),
    seed: 1,
    usdPerGpuHour: () => 2,
    endS,
    ...(autoscaler ? { autoscaler } : {}),
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
    expect(r.allocatedCostUsd).toBe(4);
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

describe('powered nodes (autoscaler)', () => {
  const autoscaler = { idleDelayS: 600, bootDelayS: 300 };
  const twin = [node, { ...node, name: 'n1' }];

  it('costs powered node-hours: an empty node goes down after the idle delay, one boots for the queue', () => {
    // Two 1-GPU nodes at $2/GPU-h, a 3 h window. a (0..3600) takes one node, X; the other, Y, is empty
    // from 0 and goes down at 600. b arrives at 1800, X is busy: Y boots at 1800, takes pods at 2100
    // (b waited 300 s), b runs 2100..3900. X is empty from 3600 (down at 4200), Y from 3900 (down at
    // 4500). Powered: X 0..4200 = 4200 s, Y 0..600 + 1800..4500 = 3300 s; 7500 node-s × 1 GPU × $2/h
    // = $4.1667. Allocated 3600 + 1800 = 5400 of 7500 powered GPU-s: 28 % unallocated.
    const jobs = [
      { pod: pod('a', 1000), arriveS: 0, durationS: 3600 },
      { pod: pod('b', 1000), arriveS: 1800, durationS: 1800 },
    ];
    const r = run(jobs, twin, 3 * 3600, autoscaler);
    expect(r.fleetCostUsd).toBeCloseTo(7500 / 1800, 9);
    expect(r.poweredGpuHours).toBeCloseTo(7500 / 3600, 9);
    expect(r.meanQueueS).toBe(150);
    expect(r.completed).toBe(2);
    expect(r.unallocatedGpuPct).toBeCloseTo(28, 9);
    expect([r.boots, r.shutdowns]).toEqual([1, 3]);
    // Without the autoscaler both nodes are paid all 3 h ($12) and b starts at once on Y.
    const always = run(jobs, twin, 3 * 3600);
    expect(always.fleetCostUsd).toBeCloseTo(12, 9);
    expect(always.meanQueueS).toBe(0);
  });

  it('boots one node for two queued pods that fit it together', () => {
    // idle delay 0: both 2-GPU nodes go down at 0; a and b arrive at 0 and share one booted node.
    const big = { ...node, gpuCount: 2 };
    const r = run(
      [
        { pod: pod('a', 1000), arriveS: 0, durationS: 3600 },
        { pod: pod('b', 1000), arriveS: 0, durationS: 3600 },
      ],
      [big, { ...big, name: 'n1' }],
      2 * 3600,
      { idleDelayS: 0, bootDelayS: 300 },
    );
    expect(r.boots).toBe(1);
    expect(r.meanQueueS).toBe(300);
    // One 2-GPU node paid 0..3900 s at $2/GPU-h.
    expect(r.fleetCostUsd).toBeCloseTo((2 * 2 * 3900) / 3600, 9);
  });

  it('runs a job that asks no GPU off the fleet: no wait, no GPU cost', () => {
    const r = run([{ pod: pod('a', 1000, 0), arriveS: 0, durationS: 3600 }], [node], 7200, autoscaler);
    expect([r.started, r.completed, r.meanQueueS, r.gpuHours]).toEqual([1, 1, 0, 0]);
    // The node is empty throughout: paid until the idle delay only.
    expect(r.fleetCostUsd).toBeCloseTo((600 * 2) / 3600, 9);
  });
});

describe('adopted consolidate recommendations', () => {
  // Two 2-GPU nodes, $2/GPU-h, a 4 h window, the recommender every 2 h. a (movable, 10 h) and b (1 h)
  // fill one node, c (movable, 10 h) half the other. At 1 h b leaves: each node holds one pod. At 2 h
  // consolidate names one of them; its pod restarts on the other, and the drained node goes down at
  // once. Paid: 2 GPUs × 4 h + 2 GPUs × 2 h = 12 GPU-h = $24 (not $32).
  const big = { ...node, gpuCount: 2 };
  const jobs = (movable: boolean, cpuMilli = 1000): Job[] => [
    { pod: { ...pod('a', 1000), cpuMilli }, arriveS: 0, durationS: 36_000, movable },
    { pod: pod('b', 1000), arriveS: 0, durationS: 3600, movable },
    { pod: { ...pod('c', 1000), cpuMilli }, arriveS: 0, durationS: 36_000, movable },
  ];
  const runWith = (movable: boolean, cpuMilli = 1000) =>
    simulateEvents({
      nodes: [big, { ...big, name: 'n1' }],
      jobs: jobs(movable, cpuMilli),
      policy: bestFitPolicy,
      workload: computeWorkloadShapes(jobs(movable, cpuMilli).map((j) => j.pod)),
      seed: 1,
      usdPerGpuHour: () => 2,
      endS: 4 * 3600,
      autoscaler: { idleDelayS: 600, bootDelayS: 300 },
      consolidation: { everyS: 2 * 3600, adoption: 1 },
    });

  it('drains a node whose pods fit elsewhere and powers it off', () => {
    const r = runWith(true);
    expect([r.drains, r.podsMoved, r.started, r.completed, r.meanQueueS]).toEqual([1, 1, 3, 1, 0]);
    expect(r.fleetCostUsd).toBeCloseTo(24, 9);
  });

  it('moves no pod that would lose its work', () => {
    const r = runWith(false);
    expect(r.drains).toBe(0);
    expect(r.fleetCostUsd).toBeCloseTo(32, 9);
  });

  it('drains nothing when the GPUs fit but the CPU does not (5 of 8 cores each: 10 > 8)', () => {
    const r = runWith(true, 5000);
    expect([r.drains, r.podsMoved]).toEqual([0, 0]);
    expect(r.fleetCostUsd).toBeCloseTo(32, 9);
  });
});

describe('applied recommendation', () => {
  const usage = (utilizationPct: number, memoryBytes: number, hours = 10) => ({
    utilizationPct: Array.from({ length: 600 }, () => utilizationPct),
    memoryBytes: Array.from({ length: 600 }, () => memoryBytes),
    hours,
  });
  const GIB = 2 ** 30;

  it('shrinks a whole GPU to a share: 20 % busy at an 80 % target, 4 of 32 GiB → 250 milli', () => {
    // compute 20/80 = 0.25; memory 4 × 1.05 / 32 = 0.13: 250 milli (a 50-milli step).
    expect(recommendedRequest(pod('a', 1000), usage(20, 4 * GIB), 32 * GIB)).toMatchObject({
      kind: 'share',
      pod: { gpuCount: 1, gpuMilli: 250 },
    });
  });

  it('judges memory as a share of the GPU the series ran on', () => {
    // 40 GiB of a 47 GiB GPU: 40 × 1.05 / 47 = 0.894 → 900 milli (compute 30/80 = 0.375 is smaller).
    expect(recommendedRequest(pod('a', 1000), usage(30, 40 * GIB), 47 * GIB)?.pod.gpuMilli).toBe(900);
    // Judged against a 32 GiB GPU the same series needs more than the whole GPU: nothing.
    expect(recommendedRequest(pod('a', 1000), usage(30, 40 * GIB), 32 * GIB)).toBeNull();
  });

  it('scales a fraction pod to what it holds: a 500-milli pod fills half a GPU as the series fills one', () => {
    // Per device 20 % × 0.5 = 10 % busy, 16 GiB × 0.5 = 8 GiB of 32: compute 10/80 = 0.125, memory
    // 8 × 1.05 / 32 = 0.2625 → 300 milli.
    expect(recommendedRequest(pod('a', 500), usage(20, 16 * GIB), 32 * GIB)).toMatchObject({
      kind: 'share',
      pod: { gpuCount: 1, gpuMilli: 300 },
    });
  });

  it('right-sizes a 4-GPU pod 30 % busy per GPU to 2 GPUs', () => {
    // demand 4 × 0.3 = 1.2 GPUs / 0.8 = 1.5 → 2 GPUs; memory 4 × 1 GiB × 1.05 / 32 GiB → 1.
    expect(recommendedRequest(pod('a', 1000, 4), usage(30, GIB), 32 * GIB)).toMatchObject({
      kind: 'right-size',
      pod: { gpuCount: 2, gpuMilli: 1000 },
    });
  });

  it('reclaims an idle pod (no GPU) only after 6 observed hours, and says nothing under 1 hour', () => {
    expect(recommendedRequest(pod('a', 1000), usage(0, GIB), 32 * GIB)).toMatchObject({
      kind: 'idle-reclaim',
      pod: { gpuCount: 0 },
    });
    expect(recommendedRequest(pod('a', 1000), usage(0, GIB, 5), 32 * GIB)).toBeNull();
    expect(recommendedRequest(pod('a', 1000), usage(20, GIB, 0.5), 32 * GIB)).toBeNull();
  });

  it('leaves a busy pod as it is', () => {
    expect(recommendedRequest(pod('a', 1000), usage(95, GIB), 32 * GIB)).toBeNull();
  });
});
