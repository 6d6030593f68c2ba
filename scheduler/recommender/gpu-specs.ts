/**
 * GPU memory and compute per canonical price-catalog model, for the recommenders that move work to
 * another shape (cheaper-gpu, right-size) or check what a candidate can hold.
 *
 * - memoryBytes: the total nvidia-smi reports (MiB), which is what a pod can use, not the marketing
 *   GB. From this repo's captures where there is one (shared/fixtures/telemetry), else from
 *   `nvidia-smi --query-gpu=name,memory.total` output published in public repositories (read in 2026
 *   through the project's code search).
 * - fp16TensorTflops: dense FP16 Tensor Core TFLOPS from NVIDIA's datasheets (half the "with
 *   sparsity" figure). Where one catalog id covers several variants (H100 SXM/PCIe/NVL, V100
 *   SXM2/PCIe), the slowest variant: a pod moved there must not find less than we assumed.
 *   null = not published (A10G, the openb trace's G2/G3): such a model is never a candidate, and a
 *   pod on it gets no cheaper-gpu recommendation (its throughput need cannot be expressed).
 */
export interface GpuSpec {
  readonly memoryBytes: number;
  readonly fp16TensorTflops: number | null;
  readonly source: string;
}

const MIB = 1024 * 1024;

export const GPU_SPECS: Readonly<Record<string, GpuSpec>> = {
  H100: {
    memoryBytes: 81559 * MIB,
    fp16TensorTflops: 756,
    source: 'capture nvgpuexp H100 80GB HBM3; datasheet H100 PCIe',
  },
  H200: { memoryBytes: 143771 * MIB, fp16TensorTflops: 835, source: 'capture nvgpuexp H200; datasheet H200 NVL' },
  'A100-40GB': { memoryBytes: 40960 * MIB, fp16TensorTflops: 312, source: 'nvidia-smi A100-SXM4-40GB; datasheet A100' },
  'A100-80GB': {
    memoryBytes: 81920 * MIB,
    fp16TensorTflops: 312,
    source: 'capture telegraf A100-SXM4-80GB; datasheet A100',
  },
  L40S: { memoryBytes: 46068 * MIB, fp16TensorTflops: 362, source: 'nvidia-smi L40S (g6e.xlarge); datasheet L40S' },
  L4: { memoryBytes: 23034 * MIB, fp16TensorTflops: 121, source: 'nvidia-smi L4; datasheet L4' },
  A10G: { memoryBytes: 23028 * MIB, fp16TensorTflops: null, source: 'capture telegraf A10G; no datasheet TFLOPS' },
  A10: { memoryBytes: 23028 * MIB, fp16TensorTflops: 125, source: 'nvidia-smi A10; datasheet A10' },
  T4: { memoryBytes: 15360 * MIB, fp16TensorTflops: 65, source: 'capture telegraf Tesla T4; datasheet T4' },
  'V100-16GB': {
    memoryBytes: 16160 * MIB,
    fp16TensorTflops: 112,
    source: 'nvidia-smi V100-SXM2-16GB; datasheet V100 PCIe',
  },
  'V100-32GB': {
    memoryBytes: 32480 * MIB,
    fp16TensorTflops: 112,
    source: 'capture openpai V100-SXM3-32GB; datasheet V100 PCIe',
  },
  P100: { memoryBytes: 16280 * MIB, fp16TensorTflops: 18.7, source: 'nvidia-smi P100-PCIE-16GB; datasheet P100 PCIe' },
};

/** The spec of a canonical model id, or null when the table has none (G2, G3, models added to the catalog later). */
export const gpuSpec = (model: string): GpuSpec | null => GPU_SPECS[model] ?? null;
