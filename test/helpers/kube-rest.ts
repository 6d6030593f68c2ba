import { request, type RequestOptions } from 'node:https';
import type { KubeEndpoint } from './kube-apiserver.ts';
import type { KubeObject } from './helm.ts';

export interface KubeResponse {
  readonly status: number;
  readonly body: { readonly message?: string; readonly [key: string]: unknown };
  /** The texts of the API server's `Warning` headers (deprecations, ignored fields, Pod Security). */
  readonly warnings: readonly string[];
}

export interface KubeRest {
  /** Creates `object` for real. */
  create(object: KubeObject): Promise<KubeResponse>;
  /**
   * Server-side dry run of a create (`?dryRun=All&fieldValidation=Strict`): decoded, defaulted,
   * validated and admitted exactly as a create, unknown fields an error, nothing stored.
   */
  dryRunCreate(object: KubeObject): Promise<KubeResponse>;
  get(path: string): Promise<KubeResponse>;
}

/** The text of one `Warning: 299 - "text"` header value (RFC 7234 quoted-string, unescaped). */
function warningText(header: string): string {
  const quoted = /^\s*299 \S+ "((?:[^"\\]|\\.)*)"/.exec(header);
  return quoted ? (quoted[1] ?? '').replace(/\\(.)/g, '$1') : header.trim();
}

/**
 * Plain REST on a kube-apiserver, sending objects as they are: the typed clients of
 * @kubernetes/client-node serialise through their models, which drop unknown fields before the
 * server could reject them. Resource paths come from the server's discovery.
 */
export function createKubeRest(endpoint: KubeEndpoint): KubeRest {
  const send = async (method: string, path: string, body?: unknown): Promise<KubeResponse> => {
    const options: RequestOptions = { method, headers: { accept: 'application/json' }, timeout: 15_000 };
    await endpoint.kubeConfig.applyToHTTPSOptions(options);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    if (payload !== undefined) options.headers = { ...options.headers, 'content-type': 'application/json' };
    return new Promise((resolve, reject) => {
      const req = request(new URL(path, endpoint.url), options, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => {
          const warning = res.headers['warning'];
          resolve({
            status: res.statusCode ?? 0,
            body: text.startsWith('{') ? (JSON.parse(text) as KubeResponse['body']) : { message: text },
            warnings:
              warning === undefined
                ? []
                : String(warning)
                    .split(/,(?=\s*299 )/)
                    .map(warningText),
          });
        });
      });
      req.on('error', reject).on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 15 s`)));
      req.end(payload);
    });
  };

  const resources = new Map<string, Promise<KubeResponse>>();
  const collectionPath = async (object: KubeObject): Promise<string> => {
    const base = object.apiVersion.includes('/') ? `/apis/${object.apiVersion}` : `/api/${object.apiVersion}`;
    let list = resources.get(base);
    if (!list) resources.set(base, (list = send('GET', base)));
    const found = ((await list).body['resources'] as { name: string; kind: string; namespaced: boolean }[] | undefined)
      ?.filter((r) => !r.name.includes('/'))
      .find((r) => r.kind === object.kind);
    if (!found) {
      resources.delete(base); // a CRD may be served by the next discovery
      throw new Error(`the API server serves no ${object.kind} in ${object.apiVersion}`);
    }
    const namespace = object.metadata.namespace;
    if (found.namespaced && !namespace) throw new Error(`${object.kind}/${object.metadata.name} has no namespace`);
    return found.namespaced ? `${base}/namespaces/${namespace}/${found.name}` : `${base}/${found.name}`;
  };

  return {
    create: async (object) => send('POST', await collectionPath(object), object),
    dryRunCreate: async (object) =>
      send('POST', `${await collectionPath(object)}?dryRun=All&fieldValidation=Strict`, object),
    get: (path) => send('GET', path),
  };
}
