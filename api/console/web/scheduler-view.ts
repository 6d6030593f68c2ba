/** Scheduler & recommendations: saving by status (open, accepted, realised) and the recommendations, largest first. */
import { apiGet } from './api-client.ts';
import { barChart } from './chart.ts';
import { section, stats, table } from './dom.ts';
import { usd } from './format.ts';
import { RECOMMENDATIONS_PATH } from './queries.ts';

export interface RecommendationView {
  readonly id: string;
  readonly kind: string;
  readonly status: string;
  readonly estimatedMonthlySavingUsd: number;
  readonly realisedMonthlySavingUsd: number | null;
  readonly target: { readonly tenant: string | null; readonly namespace: string | null };
}

const STATUSES = ['open', 'accepted', 'realised', 'dismissed'];

export async function schedulerView(): Promise<HTMLElement[]> {
  const { recommendations } = await apiGet<{ recommendations: RecommendationView[] }>(RECOMMENDATIONS_PATH);
  const saving = (status: string) =>
    recommendations.filter((r) => r.status === status).reduce((t, r) => t + r.estimatedMonthlySavingUsd, 0);
  const open = recommendations.filter((r) => r.status === 'open');
  return [
    stats([
      ['recommendations-open', 'Open recommendations', String(open.length)],
      ['recommendations-open-usd', 'Open saving ($/month)', usd(saving('open'))],
    ]),
    section(
      'Estimated monthly saving by status',
      barChart('recommendations', '$ per month', STATUSES, [
        { label: 'estimated saving', values: STATUSES.map(saving) },
      ]),
    ),
    section(
      'Recommendations',
      table(
        'recommendations',
        ['kind', 'tenant', 'namespace', 'status', 'saving $/month'],
        recommendations.map((r) => [
          r.kind,
          r.target.tenant ?? '–',
          r.target.namespace ?? '–',
          r.status,
          usd(r.estimatedMonthlySavingUsd),
        ]),
      ),
    ),
  ];
}
