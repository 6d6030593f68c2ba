/** The API requests behind the views (shared with the browser tests, which ask the API the same). */
export const FLEET_QUERY = 'window=24h&aggregate=node&step=1h';
export const FLEET_MODELS_QUERY = 'window=24h&aggregate=gpuModel&accumulate=true';
export const COST_QUERY = 'window=24h&aggregate=tenant&step=1h&includeIdle=true';
export const BUDGETS_PATH = '/v1/budgets';
export const ALERTS_PATH = '/v1/alerts?state=firing';
export const RECOMMENDATIONS_PATH = '/v1/recommendations?status=all';
