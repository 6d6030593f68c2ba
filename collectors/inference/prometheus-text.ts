import parsePrometheusTextFormat from 'parse-prometheus-text-format';

/** One sample line of the Prometheus text exposition format. */
export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Finite, or NaN / ±Infinity as the format allows; consumers decide what to keep. */
  readonly value: number;
  /** 1-based line number in the scraped text. */
  readonly line: number;
}

export interface PromText {
  readonly samples: PromSample[];
  /** One entry per metric family that lost lines: `NAME: N sample line(s) dropped (line L: why)`. */
  readonly errors: string[];
}

export interface ReadPromTextOptions {
  /** Only sample lines of metric names that pass are parsed; the others are skipped unread. */
  readonly wanted?: (name: string) => boolean;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)$/;
const SPECIAL: Readonly<Record<string, number>> = {
  NaN: Number.NaN,
  '+Inf': Infinity,
  Inf: Infinity,
  '-Inf': -Infinity,
};

/** The number, or why the line has none; `rest` is the text after the name and labels, for the message. */
function valueOf(raw: string | undefined, timestamp: string | undefined, rest: string): number | string {
  const value = raw === undefined ? undefined : (SPECIAL[raw] ?? (NUMBER.test(raw) ? Number(raw) : undefined));
  if (value === undefined || (timestamp !== undefined && !/^-?\d+$/.test(timestamp)))
    return `value '${rest}' is not a number`;
  return value;
}

const metricNameOf = (line: string): string => {
  const end = line.search(/[{\s]/);
  return end < 0 ? line : line.slice(0, end);
};

/**
 * Reads Prometheus text LENIENTLY: each sample line goes through `parse-prometheus-text-format`
 * on its own, so one bad line (DCGM's `ERROR - FAILED TO CONVERT TO STRING`, a broken label) drops
 * that sample only, where the library on the whole text would throw and lose the scrape. Per-line
 * use also avoids the library's histogram grouping, which drops `_sum`/`_count` of labelled series.
 * HELP/TYPE and other comment lines are not needed by our mappings and are skipped; a TYPE without
 * HELP, or HELP/TYPE without samples, is therefore harmless.
 */
export function readPromText(text: string, options: ReadPromTextOptions = {}): PromText {
  const samples: PromSample[] = [];
  const dropped = new Map<string, { count: number; first: string }>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const name = metricNameOf(line);
    if (options.wanted && !options.wanted(name)) continue;
    let outcome: { labels: Readonly<Record<string, string>>; value: number } | string;
    try {
      // The trailing newline matters: the library only flushes a family when it sees the next line.
      const [family] = parsePrometheusTextFormat(`${line}\n`);
      const sample = family?.metrics[0];
      const rest = line.slice(line.includes('{') ? line.lastIndexOf('}') + 1 : name.length).trim();
      const value = valueOf(sample?.value, sample?.timestamp_ms, rest);
      outcome = typeof value === 'string' ? value : { labels: sample?.labels ?? {}, value };
    } catch (error) {
      outcome = error instanceof Error ? error.message : String(error);
    }
    if (typeof outcome !== 'string') {
      samples.push({ name, labels: outcome.labels, value: outcome.value, line: i + 1 });
      continue;
    }
    const entry = dropped.get(name);
    if (entry) entry.count++;
    else dropped.set(name, { count: 1, first: `line ${i + 1}: ${outcome}` });
  }
  const errors = [...dropped].map(
    ([name, d]) => `${name}: ${d.count} sample line${d.count === 1 ? '' : 's'} dropped (${d.first})`,
  );
  return { samples, errors };
}
