/**
 * Amortised on-prem GPU-hour price: capital cost spread over its useful life, plus the energy the GPU
 * (with its share of the server and the facility overhead) draws, plus hosting (rack space, support,
 * staff) per GPU-month. Pure arithmetic; the catalog supplies the figures.
 */

/** Hours in an average month: 365 days × 24 h / 12. */
export const HOURS_PER_MONTH = (365 * 24) / 12;

export interface OnPremCostInputs {
  /** Purchase price per GPU, including its share of the server, network and installation. */
  readonly capexUsdPerGpu: number;
  /** Months over which the capex is written off (depreciation period). */
  readonly amortizationMonths: number;
  /** Average electrical draw per GPU including its share of the host (CPUs, fans, NICs). */
  readonly powerWattsPerGpu: number;
  /** Power usage effectiveness of the facility (≥ 1; 1 = no cooling overhead). */
  readonly pue: number;
  /** Electricity price. */
  readonly electricityUsdPerKwh: number;
  /** Colocation / hosting / support per GPU per month. */
  readonly hostingUsdPerGpuMonth: number;
}

/** Breakdown of the amortised GPU-hour, every part in USD per GPU-hour. */
export interface OnPremPriceBreakdown {
  readonly capexUsdPerGpuHour: number;
  readonly powerUsdPerGpuHour: number;
  readonly hostingUsdPerGpuHour: number;
  readonly totalUsdPerGpuHour: number;
}

/** capex / (months × 730 h) + W/1000 × PUE × $/kWh + hosting / 730 h. */
export const computeOnPremPrice = (inputs: OnPremCostInputs): OnPremPriceBreakdown => {
  const capexUsdPerGpuHour = inputs.capexUsdPerGpu / (inputs.amortizationMonths * HOURS_PER_MONTH);
  const powerUsdPerGpuHour = (inputs.powerWattsPerGpu / 1000) * inputs.pue * inputs.electricityUsdPerKwh;
  const hostingUsdPerGpuHour = inputs.hostingUsdPerGpuMonth / HOURS_PER_MONTH;
  return {
    capexUsdPerGpuHour,
    powerUsdPerGpuHour,
    hostingUsdPerGpuHour,
    totalUsdPerGpuHour: capexUsdPerGpuHour + powerUsdPerGpuHour + hostingUsdPerGpuHour,
  };
};
