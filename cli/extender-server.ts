/**
 * The scheduler extender over HTTP (thin): POST <prefix>/filter, /prioritize, /bind as kube-scheduler
 * calls them (scheduler/extender/protocol.ts for the bodies), GET /healthz. Parsing and scoring are
 * scheduler/extender's; this reads bodies, calls them, and at bind creates the Binding through
 * `binder`. A body that is not JSON gets 400 (kube-scheduler logs it as an extender error); a
 * protocol-level failure gets 200 with `Error` set, as the protocol wants.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { BindPlan, PlacementExtender } from '../scheduler/extender/extender.ts';
import { kubeNodeOf, kubePodOf, podKey, type KubePod } from '../scheduler/extender/kube-objects.ts';
import {
  bindingResult,
  filterError,
  filterResult,
  hostPriorityList,
  parseBindingArgs,
  parseExtenderArgs,
  type ExtenderArgs,
  type ExtenderBindingArgs,
} from '../scheduler/extender/protocol.ts';

export interface ExtenderServerDeps {
  readonly extender: PlacementExtender;
  /** Creates the Binding (pod → node) with the GPU annotation on the API server. */
  readonly bind: (plan: BindPlan, args: ExtenderBindingArgs) => Promise<void>;
  /** Reads a pod the extender has not seen in filter/prioritize (e.g. after a restart); none: such a bind fails. */
  readonly readPod?: (namespace: string, name: string) => Promise<unknown>;
  readonly nowMs: () => number;
  readonly logger: Logger;
}

export interface RunningExtender {
  /** http://host:port (kube-scheduler's urlPrefix). */
  readonly url: string;
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 2 ** 20;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) req.destroy(new Error('body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const send = (res: ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

export async function startExtenderServer(
  deps: ExtenderServerDeps,
  listen: { readonly host: string; readonly port: number },
): Promise<RunningExtender> {
  const { extender, logger } = deps;

  const withArgs = (body: unknown): { args: ExtenderArgs; pod: KubePod } | { error: string } => {
    const parsed = parseExtenderArgs(body);
    if (!parsed.ok) return { error: parsed.error };
    for (const node of parsed.value.nodes ?? []) {
      const n = kubeNodeOf(node);
      if (n) extender.upsertNode(n);
    }
    return { args: parsed.value, pod: kubePodOf(parsed.value.pod) };
  };

  const bind = async (body: unknown): Promise<string | null> => {
    const parsed = parseBindingArgs(body);
    if (!parsed.ok) return parsed.error;
    const args = parsed.value;
    const key = podKey(args.podNamespace, args.podName);
    const pod =
      extender.pendingPod(key) ??
      (deps.readPod ? kubePodOf(await deps.readPod(args.podNamespace, args.podName)) : null);
    if (!pod) return `gpu-ledger: pod ${key} was not seen in filter or prioritize`;
    const planned = extender.planBind(pod, args.node);
    if (!planned.ok) return planned.error;
    await deps.bind(planned.plan, args);
    extender.commitBind(planned.plan, deps.nowMs());
    logger.info({ pod: key, node: args.node, gpus: planned.plan.gpuIndexes }, 'bound');
    return null;
  };

  const handle = async (verb: string, body: unknown): Promise<unknown> => {
    if (verb === 'bind') {
      const error = await bind(body).catch(
        (e: unknown) => `gpu-ledger: bind failed: ${e instanceof Error ? e.message : String(e)}`,
      );
      if (error) logger.warn({ error }, 'bind refused');
      return bindingResult(error);
    }
    const input = withArgs(body);
    if ('error' in input) return verb === 'filter' ? filterError(input.error) : [];
    if (verb === 'filter') {
      const { passing, failed } = extender.filter(input.pod, input.args.nodeNames, deps.nowMs());
      return filterResult(input.args, passing, failed);
    }
    return hostPriorityList(extender.prioritize(input.pod, input.args.nodeNames, deps.nowMs()));
  };

  const server = createServer((req, res) => {
    const verb = /\/(filter|prioritize|bind)\/?$/.exec(req.url ?? '')?.[1];
    if (req.method === 'GET' && req.url === '/healthz') return send(res, 200, { ok: true });
    if (req.method !== 'POST' || !verb) return send(res, 404, { error: 'POST /filter, /prioritize or /bind' });
    void readBody(req)
      .then(async (text) => {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          return send(res, 400, { Error: 'body is not JSON' });
        }
        return send(res, 200, await handle(verb, body));
      })
      .catch((error: unknown) => {
        logger.error({ err: error, verb }, 'extender request failed');
        if (!res.headersSent) send(res, 500, { Error: String(error) });
      });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${port}`,
    async stop() {
      const closed = new Promise((r) => server.close(r));
      server.closeIdleConnections();
      server.closeAllConnections();
      await closed;
    },
  };
}
