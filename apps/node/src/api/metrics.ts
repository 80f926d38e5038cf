/** Label values of one series. */
export type Labels = Record<string, string | number>;

/** A monotonically increasing count. */
export type Counter = { inc(labels?: Labels, by?: number): void };

/** A value that goes up and down. */
export type Gauge = { set(value: number, labels?: Labels): void; inc(labels?: Labels, by?: number): void };

/** Observations counted into buckets (Prometheus histogram). */
export type Histogram = { observe(value: number, labels?: Labels): void };

/**
 * The node's metrics registry: counters, gauges and histograms rendered in the Prometheus text format
 * (version 0.0.4) by `GET /metrics`. Asking again for a metric of the same name returns the same metric.
 */
export type Metrics = {
  /** A counter; `labelNames` are the labels every `inc` must give. Name it `<subsystem>_<what>_total`. */
  counter(name: string, help: string, labelNames?: readonly string[]): Counter;
  gauge(name: string, help: string, labelNames?: readonly string[]): Gauge;
  /** A histogram with cumulative `buckets` (upper bounds, default: HTTP latency buckets in seconds). */
  histogram(
    name: string,
    help: string,
    labelNames?: readonly string[],
    buckets?: readonly number[],
  ): Histogram;
  /** Runs `collect` before each render, to set gauges read on demand (memory, indexer head). */
  onCollect(collect: () => void | Promise<void>): void;
  /** The exposition text. */
  render(): Promise<string>;
};

/** Default histogram buckets: request latency, in seconds. */
export const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

type Kind = "counter" | "gauge" | "histogram";
type Family = {
  kind: Kind;
  help: string;
  labelNames: readonly string[];
  buckets: readonly number[];
  /** key (rendered labels) → value, or histogram state. */
  series: Map<string, { labels: string; value: number; counts?: number[]; sum?: number }>;
};

const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
const escapeHelp = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
const number = (v: number) =>
  Number.isNaN(v) ? "NaN" : v === Number.POSITIVE_INFINITY ? "+Inf" : v === -Infinity ? "-Inf" : String(v);

/**
 * A metrics registry (no dependency: the exposition format is written by hand).
 *
 * @example
 * const metrics = createMetrics();
 * const receipts = metrics.counter("tributary_gateway_receipts_total", "Receipts signed.", ["model"]);
 * receipts.inc({ model: "moby-ig" });
 * const text = await metrics.render();
 */
export function createMetrics(): Metrics {
  const families = new Map<string, Family>();
  const collectors: (() => void | Promise<void>)[] = [];

  const family = (
    name: string,
    kind: Kind,
    help: string,
    labelNames: readonly string[],
    buckets: readonly number[] = [],
  ): Family => {
    if (!NAME.test(name)) throw new Error(`metric name ${JSON.stringify(name)} is not a Prometheus name`);
    for (const l of labelNames)
      if (!LABEL.test(l) || l === "le") throw new Error(`label ${JSON.stringify(l)} of ${name} is not valid`);
    const existing = families.get(name);
    if (existing) {
      if (existing.kind !== kind || existing.labelNames.join() !== labelNames.join())
        throw new Error(`metric ${name} exists as a ${existing.kind} with labels [${existing.labelNames}]`);
      return existing;
    }
    const f: Family = { kind, help, labelNames, buckets, series: new Map() };
    families.set(name, f);
    return f;
  };

  const seriesOf = (name: string, f: Family, labels: Labels = {}) => {
    const given = Object.keys(labels);
    if (given.length !== f.labelNames.length || !f.labelNames.every((l) => l in labels))
      throw new Error(`metric ${name} takes labels [${f.labelNames}], got [${given}]`);
    const key = f.labelNames.map((l) => `${l}="${escapeLabel(String(labels[l]))}"`).join(",");
    let s = f.series.get(key);
    if (!s) {
      s = {
        labels: key,
        value: 0,
        ...(f.kind === "histogram" ? { counts: f.buckets.map(() => 0), sum: 0 } : {}),
      };
      f.series.set(key, s);
    }
    return s;
  };

  return {
    counter(name, help, labelNames = []) {
      const f = family(name, "counter", help, labelNames);
      return {
        inc(labels, by = 1) {
          if (!(by >= 0)) throw new Error(`counter ${name} can only go up (inc by ${by})`);
          seriesOf(name, f, labels).value += by;
        },
      };
    },
    gauge(name, help, labelNames = []) {
      const f = family(name, "gauge", help, labelNames);
      return {
        set(value, labels) {
          seriesOf(name, f, labels).value = value;
        },
        inc(labels, by = 1) {
          seriesOf(name, f, labels).value += by;
        },
      };
    },
    histogram(name, help, labelNames = [], buckets = DEFAULT_BUCKETS) {
      const sorted = [...buckets].sort((a, b) => a - b);
      const f = family(name, "histogram", help, labelNames, sorted);
      return {
        observe(value, labels) {
          const s = seriesOf(name, f, labels);
          s.value += 1;
          s.sum! += value;
          for (let i = 0; i < f.buckets.length; i++) if (value <= f.buckets[i]!) s.counts![i]! += 1;
        },
      };
    },
    onCollect(collect) {
      collectors.push(collect);
    },
    async render() {
      for (const collect of collectors) await collect();
      const lines: string[] = [];
      for (const [name, f] of [...families].sort(([a], [b]) => a.localeCompare(b))) {
        lines.push(`# HELP ${name} ${escapeHelp(f.help)}`, `# TYPE ${name} ${f.kind}`);
        for (const s of f.series.values()) {
          const braces = (extra = "") => {
            const all = [s.labels, extra].filter(Boolean).join(",");
            return all ? `{${all}}` : "";
          };
          if (f.kind !== "histogram") {
            lines.push(`${name}${braces()} ${number(s.value)}`);
            continue;
          }
          f.buckets.forEach((le, i) => {
            lines.push(`${name}_bucket${braces(`le="${number(le)}"`)} ${s.counts![i]}`);
          });
          lines.push(`${name}_bucket${braces('le="+Inf"')} ${s.value}`);
          lines.push(`${name}_sum${braces()} ${number(s.sum!)}`);
          lines.push(`${name}_count${braces()} ${s.value}`);
        }
      }
      return `${lines.join("\n")}\n`;
    },
  };
}
