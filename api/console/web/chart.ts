/** uPlot charts: series over time, and bars over named categories. */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { el } from './dom.ts';

const COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f'];
const WIDTH = 900;
const HEIGHT = 260;

export interface Series {
  readonly label: string;
  readonly values: readonly (number | null)[];
}

function mount(
  name: string,
  title: string,
  opts: Omit<uPlot.Options, 'width' | 'height' | 'title'>,
  data: uPlot.AlignedData,
): HTMLElement {
  const box = el('div', { class: 'chart', 'data-chart': name });
  // uPlot draws once the box is in the page: the caller appends it right away.
  queueMicrotask(
    () => new uPlot({ ...opts, title, width: Math.min(WIDTH, box.clientWidth || WIDTH), height: HEIGHT }, data, box),
  );
  return box;
}

/** Lines over time; `xs` in epoch seconds. */
export const timeChart = (name: string, title: string, xs: readonly number[], series: readonly Series[]): HTMLElement =>
  mount(
    name,
    title,
    {
      series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: COLORS[i % COLORS.length], width: 2 }))],
      axes: [{}, { size: 60 }],
    },
    [[...xs], ...series.map((s) => [...s.values])] as uPlot.AlignedData,
  );

/** Bars over categories (x = index, labelled); several series share a slot, each narrower, drawn over the last. */
export function barChart(
  name: string,
  title: string,
  labels: readonly string[],
  series: readonly Series[],
): HTMLElement {
  const n = series.length;
  return mount(
    name,
    title,
    {
      scales: { x: { time: false, range: [-0.5, labels.length - 0.5] } },
      series: [
        { label: 'x', value: (_u: uPlot, i: number | null) => (i === null ? '' : (labels[i] ?? '')) },
        ...series.map((s, i) => ({
          label: s.label,
          fill: COLORS[i % COLORS.length],
          stroke: COLORS[i % COLORS.length],
          paths: uPlot.paths.bars?.({ size: [0.7 * (1 - i / (n + 1)), 10_000] }),
          points: { show: false },
        })),
      ],
      axes: [{ splits: () => labels.map((_, i) => i), values: () => [...labels] }, { size: 60 }],
    },
    [labels.map((_, i) => i), ...series.map((s) => [...s.values])] as uPlot.AlignedData,
  );
}
