import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Meter } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { metrics, resources } from '@opentelemetry/sdk-node';

/** A MeterProvider whose only reader is a Prometheus exporter that serves no port of its own. */
export interface PrometheusMetrics {
  /** The Meter to pass to the components (no global MeterProvider is registered). */
  readonly meter: Meter;
  /** Answers a scrape with every instrument's current value (Prometheus text format). */
  readonly handleScrape: (request: IncomingMessage, response: ServerResponse) => void;
  /** Shuts the provider and exporter down; scrapes after it answer with an error. */
  close(): Promise<void>;
}

/**
 * OpenTelemetry SDK metrics exported in Prometheus format through the exporter's request handler,
 * so `/metrics` is mounted on the caller's own HTTP server (`preventServerStart`), next to
 * `/healthz`. Created by a process's main (here: `gpu-ledger agent`), never at import time.
 */
export function createPrometheusMetrics(
  serviceName: string,
  attributes: Record<string, string> = {},
): PrometheusMetrics {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const provider = new metrics.MeterProvider({
    resource: resources.resourceFromAttributes({ 'service.name': serviceName, ...attributes }),
    readers: [exporter],
  });
  return {
    meter: provider.getMeter(serviceName),
    handleScrape: (request, response) => exporter.getMetricsRequestHandler(request, response),
    close: () => provider.shutdown(),
  };
}
