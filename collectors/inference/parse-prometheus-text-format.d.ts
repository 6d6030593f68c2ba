/** Types for the untyped `parse-prometheus-text-format` 1.1 (yunyu): only what this project uses. */
declare module 'parse-prometheus-text-format' {
  interface PrometheusSample {
    /** The sample value exactly as written (not validated by the library). */
    readonly value?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly timestamp_ms?: string;
  }
  interface PrometheusFamily {
    readonly name: string;
    readonly help: string;
    readonly type: string;
    readonly metrics: readonly PrometheusSample[];
  }
  /** Throws `InvalidLineError` on the first line it cannot read: the whole document is lost. */
  export default function parsePrometheusTextFormat(text: string): PrometheusFamily[];
}
