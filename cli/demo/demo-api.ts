/**
 * The demo's last step: the API over the demo's store (opened again: the demo closed its own), a demo
 * token (tenant acme's viewer, one day), a request of the demo's own to show the printed curl line
 * answers, then the API keeps serving for `serveMs` (Infinity: until Ctrl-C) and stops.
 */
import type { Logger } from 'pino';
import { apiOptionsFrom, startApiServer } from '../api-server.ts';
import type { AppConfig } from '../config.ts';
import { untilSignal } from '../run-until-signal.ts';
import { openStore } from '../wiring.ts';

export interface DemoApi {
  /** The demo's own request with the curl line (status, allocations returned), then the curl line. */
  readonly lines: readonly string[];
  /** Serves until `serveMs` passed (or a signal when Infinity), then stops. */
  serve(serveMs: number, onServing: (line: string) => void): Promise<void>;
}

export async function startDemoApi(config: AppConfig, logger: Logger): Promise<DemoApi> {
  const store = await openStore(config);
  const server = await startApiServer(store, apiOptionsFrom(config, store.database), config.api, logger);
  const { token } = await server.api.tokens.create({
    name: 'demo',
    role: 'viewer',
    scope: { tenant: 'acme', team: null, namespace: null },
    expiresAtMs: Date.now() + 86_400_000,
    createdBy: 'demo',
  });
  const path = '/v1/allocation?window=6h&aggregate=namespace&accumulate=true';
  const res = await fetch(server.url + path, { headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json()) as { data?: Record<string, unknown>[] };
  return {
    lines: [
      `api: GET ${path} -> ${res.status}, ${Object.keys(body.data?.[0] ?? {}).length} allocation(s) of tenant acme (viewer token, 1 day)`,
      `try: curl -s -H 'Authorization: Bearer ${token}' '${server.url}${path}'`,
      `console: ${server.url}/#token=${token} (the web console with that token; or open ${server.url}/ and paste it)`,
    ],
    async serve(serveMs, onServing) {
      onServing(
        serveMs === Infinity
          ? `api and web console serving at ${server.url} until Ctrl-C (OpenAPI: ${server.url}/openapi.json)`
          : `api and web console serving at ${server.url} for ${serveMs} ms`,
      );
      if (serveMs === Infinity) await untilSignal();
      else if (serveMs > 0) await new Promise((r) => setTimeout(r, serveMs));
      await server.stop(5000);
      await store.close();
    },
  };
}
