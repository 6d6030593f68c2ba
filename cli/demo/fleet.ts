/**
 * The demo's simulated fleet: each node replays one real `nvidia-smi -q -x` capture from
 * shared/fixtures/telemetry through the fake nvidia-smi (see its PROVENANCE.md for sources).
 */
export const DEMO_FLEET = [
  { node: 'gpu-a100-mig-0', capture: 'nvidia-smi-xml/telegraf__a100-sxm4-80gb-mig__535.54.03__attached4-1elem.xml' },
  { node: 'gpu-a10g-0', capture: 'nvidia-smi-xml/telegraf__a10g__515.105.01__procs.xml' },
  { node: 'gpu-t4-0', capture: 'nvidia-smi-xml/telegraf__tesla-t4__515.105.01__procs.xml' },
  {
    node: 'gpu-v100-0',
    capture: 'nvidia-smi-xml/openpai__v100-sxm3-32gb__410.104__retired-pages-dbe__attached16-1elem.xml',
  },
  { node: 'gpu-a5000-0', capture: 'nvidia-smi-xml/telegraf__2x-rtx-a5000__590.44.01__procs.xml' },
  { node: 'gpu-gtx1070-0', capture: 'nvidia-smi-xml/openpai__gtx-1070__384.66__procs__attached6-2elems.xml' },
] as const;
