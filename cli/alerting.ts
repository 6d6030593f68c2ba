import { loadCostConfig } from '../pipeline/cost/cost-config.ts';
import { loadPriceCatalog } from '../pipeline/cost/load-price-catalog.ts';
import { createPriceLookup } from '../pipeline/cost/price-lookup.ts';
import { createAlertmanagerReceiver } from '../pipeline/alerts/alertmanager-receiver.ts';
import type { AlertingConfig } from '../pipeline/alerts/alerting-jobs.ts';
import type { AlertReceiver } from '../pipeline/alerts/receiver.ts';
import { createWebhookReceiver } from '../pipeline/alerts/webhook-receiver.ts';
import type { DevicePricing } from '../pipeline/rules/build-device-inputs.ts';
import { loadRulesConfig } from '../pipeline/rules/rules-config.ts';
import type { AppConfig } from './config.ts';

/** How often Alertmanager is sent the firing alerts again (its alerts live in memory; endsAt = now + 4×). */
export const ALERTMANAGER_RESEND_MS = 60_000;

/** The receivers the environment names: Alertmanager (GPU_LEDGER_ALERTMANAGER_URL), webhooks (GPU_LEDGER_ALERT_WEBHOOKS). */
export function receiversFromConfig(config: AppConfig): AlertReceiver[] {
  return [
    ...(config.alertmanagerUrl === ''
      ? []
      : [
          createAlertmanagerReceiver({
            url: config.alertmanagerUrl,
            timeoutMs: config.alertTimeoutMs,
            resendIntervalMs: ALERTMANAGER_RESEND_MS,
          }),
        ]),
    ...config.alertWebhooks.map((w) =>
      createWebhookReceiver({
        name: w.name,
        url: w.url,
        secret: config.alertWebhookSecret,
        timeoutMs: config.alertTimeoutMs,
      }),
    ),
  ];
}

/** The price catalog and cost config the ledger uses, for $ on idle alerts and budgets. */
export function pricingFromConfig(config: AppConfig): DevicePricing {
  return {
    prices: createPriceLookup(loadPriceCatalog(config.priceCatalogPath ?? undefined)),
    cost: loadCostConfig(config.costConfigPath),
  };
}

/** The pipeline's alerting from the environment (rules file, receivers, prices); `rulesPath` overrides GPU_LEDGER_RULES. */
export function alertingFromConfig(
  config: AppConfig,
  options: {
    readonly rulesPath?: string | null;
    readonly rulesIntervalMs: number;
    readonly deliveryIntervalMs: number;
  },
): AlertingConfig {
  return {
    rules: loadRulesConfig(options.rulesPath ?? config.rulesPath),
    rulesIntervalMs: options.rulesIntervalMs,
    deliveryIntervalMs: options.deliveryIntervalMs,
    receivers: receiversFromConfig(config),
    pricing: pricingFromConfig(config),
  };
}
