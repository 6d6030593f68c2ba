import { describe, expect, it } from 'vitest';
import { readFixture } from '../../test/helpers/fixtures.ts';
import { readPromText } from './prometheus-text.ts';

describe('readPromText (lenient, line by line)', () => {
  it('A800 capture: the ERROR-valued family is dropped with one error, the other 115 samples kept', () => {
    const { samples, errors } = readPromText(readFixture('dcgm', 'johnsblog-8xA800-mig-2g.20gb-535.129.03.prom'));
    expect(samples).toHaveLength(115);
    expect(errors).toEqual([
      "DCGM_FI_DEV_VGPU_PER_PROCESS_UTILIZATION: 10 sample lines dropped (line 90: value 'ERROR - FAILED TO CONVERT TO STRING' is not a number)",
    ]);
    expect(samples[0]).toMatchObject({
      name: 'DCGM_FI_DEV_SM_CLOCK',
      value: 1410,
      line: 3,
      labels: { GPU_I_PROFILE: '2g.20gb', GPU_I_ID: '3', UUID: 'GPU-1f027ee8-6e1e-2b8c-0108-3d370e5f0418' },
    });
  });

  it('keeps _sum and _count of a labelled histogram (vLLM), which the library alone would drop', () => {
    const { samples } = readPromText(readFixture('vllm', 'kops-vllm-v1-qwen2.5-0.5b-L4.prom'), {
      wanted: (n) => n.startsWith('vllm:e2e_request_latency_seconds_'),
    });
    const sum = samples.find((s) => s.name === 'vllm:e2e_request_latency_seconds_sum');
    expect(sum).toMatchObject({ value: 0, labels: { engine: '0', model_name: 'Qwen/Qwen2.5-0.5B-Instruct' } });
    expect(samples.filter((s) => s.name.endsWith('_bucket'))).toHaveLength(22);
  });

  it('float counters, escapes, special values, timestamps; a broken label drops that line only', () => {
    const text = [
      '# TYPE x counter',
      'x{model="a\\"b",version="1"} 40.000000',
      'x{model="c"} +Inf',
      'x{model="d"} 1.7740114612875898e+09 1700000000000',
      'x{model=unquoted} 3',
      'x{model="e"}',
      'y 7',
    ].join('\n');
    const { samples, errors } = readPromText(text, { wanted: (n) => n === 'x' });
    expect(samples.map((s) => [s.labels['model'], s.value])).toEqual([
      ['a"b', 40],
      ['c', Infinity],
      ['d', 1774011461.2875898],
    ]);
    expect(errors).toEqual(['x: 2 sample lines dropped (line 5: Encountered invalid line: x{model=unquoted} 3)']);
  });

  it('Triton r20.03: HELP/TYPE without samples and a TYPE without HELP are harmless', () => {
    const { samples, errors } = readPromText(
      readFixture('triton', 'issue-triton-server-2755-r20.03-no-model-samples.prom'),
    );
    expect(errors).toEqual([]);
    expect(samples).toEqual([
      {
        name: 'nv_gpu_utilization',
        labels: { gpu_uuid: 'GPU-d4d0dbb0-037e-652e-6df4-a742b597738c' },
        value: 0.12,
        line: 18,
      },
    ]);
  });
});
