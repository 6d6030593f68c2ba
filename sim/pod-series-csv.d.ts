/** The key column of a header line of the per-pod series shape (value, timestamp_anon, key), else null. */
export function podSeriesKeyColumn(headerLine: string): string | null;

/** key → [[timestampS, value], …] sorted by time; unreadable rows are skipped and listed. Throws when the header is not the shape. */
export function parsePodSeriesCsv(text: string): {
  key: string;
  series: Map<string, [number, number][]>;
  errors: string[];
};
