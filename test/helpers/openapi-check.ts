/**
 * Checks a response against the API's own OpenAPI document (ajv, JSON Schema 2020-12): the route's
 * operation, its status and content type, and the body's schema. Every response the API tests get
 * goes through it (test/helpers/api-harness.ts).
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

type Doc = {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>
  >;
};

export function createOpenApiChecker(doc: unknown) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const cache = new Map<string, ValidateFunction>();
  const paths = (doc as Doc).paths;
  const templates = Object.keys(paths).map((p) => ({
    p,
    re: new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }));
  return (method: string, path: string, status: number, contentType: string, body: unknown): void => {
    const found = templates.find((t) => t.re.test(path.split('?')[0] ?? ''));
    // An unknown path may only be a documented error (checked against /healthz's neighbour, any route's 404).
    if (!found && status !== 404) throw new Error(`OpenAPI: no path for ${path}`);
    const template = found ?? { p: '/v1/allocation' };
    if (!found) method = 'GET';
    const op = paths[template.p]?.[method.toLowerCase()];
    if (!op) throw new Error(`OpenAPI: no ${method} ${template.p}`);
    const response = op.responses[String(status)];
    if (!response) throw new Error(`OpenAPI: ${method} ${template.p} documents no ${status}`);
    const type = contentType.split(';')[0]?.trim() ?? '';
    const media = response.content?.[type];
    if (!media) throw new Error(`OpenAPI: ${method} ${template.p} ${status} documents no ${type}`);
    const key = `${method} ${template.p} ${status} ${type}`;
    let validate = cache.get(key);
    if (!validate) {
      validate = ajv.compile(media.schema);
      cache.set(key, validate);
    }
    if (!validate(body))
      throw new Error(`OpenAPI: ${key}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(body).slice(0, 300)}`);
  };
}
