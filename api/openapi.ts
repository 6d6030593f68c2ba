/**
 * The OpenAPI 3.1 document, generated from the route map's zod schemas (the same that validate the
 * requests) with zod's own JSON Schema output (draft 2020-12, OpenAPI 3.1's dialect). No hand-kept copy.
 */
import { z } from 'zod';
import { STATUS_OF } from './errors.ts';
import type { ApiRoute } from './routes/route.ts';

export const ErrorSchema = z.strictObject({
  code: z.string(),
  message: z.string(),
  field: z.string().optional().describe('the request field at fault (400s)'),
});

export const HealthSchema = z.strictObject({
  ok: z.boolean(),
  auditPending: z.number().int().optional(),
  store: z.string().optional(),
});

type JsonSchema = Record<string, unknown>;

export const jsonSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const out: JsonSchema = { ...z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) };
  delete out['$schema'];
  return out;
};

/** Express `/v1/quotas/:tenant` → OpenAPI `/v1/quotas/{tenant}`. */
export const openApiPath = (expressPath: string): string => expressPath.replace(/:([A-Za-z_]+)/g, '{$1}');

const errorResponses = () =>
  Object.fromEntries(
    [...new Set(Object.values(STATUS_OF))].map((status) => [
      String(status),
      { description: 'error', content: { 'application/json': { schema: jsonSchema(ErrorSchema, 'output') } } },
    ]),
  );

const parameters = (route: ApiRoute) => {
  const out: JsonSchema[] = [];
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (schema === undefined) continue;
    const shape: Record<string, z.ZodType> = schema.shape;
    for (const [name, field] of Object.entries(shape)) {
      out.push({
        name,
        in: where,
        required: where === 'path' || !field.safeParse(undefined).success,
        schema: jsonSchema(field, 'input'),
        ...(field.description ? { description: field.description } : {}),
      });
    }
  }
  return out;
};

const operation = (route: ApiRoute) => ({
  summary: route.summary,
  description: `Needs the permission ${route.permission}.`,
  security: [{ bearer: [] }],
  parameters: parameters(route),
  ...(route.method === 'get' || route.body === undefined
    ? {}
    : {
        requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } },
      }),
  responses: {
    '200': {
      description: 'ok',
      content: { [route.contentType ?? 'application/json']: { schema: jsonSchema(route.response, 'output') } },
    },
    ...errorResponses(),
  },
});

const plain = (summary: string, schema: JsonSchema, type = 'application/json', secured = false) => ({
  get: {
    summary,
    ...(secured ? { security: [{ bearer: [] }] } : { security: [] }),
    responses: {
      '200': { description: 'ok', content: { [type]: { schema } } },
      ...(secured ? errorResponses() : {}),
      '503': {
        description: 'not ready',
        content: { 'application/json': { schema: jsonSchema(HealthSchema, 'output') } },
      },
    },
  },
});

export function createOpenApiDocument(routes: Readonly<Record<string, ApiRoute>>, version: string): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {
    '/healthz': plain('liveness', jsonSchema(HealthSchema, 'output')),
    '/readyz': plain('readiness: the store answers and the audit buffer has room', jsonSchema(HealthSchema, 'output')),
    '/metrics': plain(
      'the API self-metrics (Prometheus text); needs metrics:read',
      { type: 'string' },
      'text/plain',
      true,
    ),
    '/openapi.json': plain('this document', { type: 'object' }),
  };
  for (const route of Object.values(routes)) {
    for (const path of route.paths) {
      const entry = (paths[openApiPath(path)] ??= {});
      entry[route.method] = operation(route);
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'GPU Ledger API',
      version,
      description:
        'GPU cost allocation (OpenCost-compatible at /allocation/compute), model cost, quotas, budgets, alerts, recommendations, node hints, FOCUS export and the audit log. Every data route needs a bearer token (or an OIDC JWT); every request is audited.',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
