import { describe, expect, it } from "vitest";
import { createApp } from "./createApp.ts";
import { createMetrics } from "./metrics.ts";

/** Checks every line against the Prometheus text format 0.0.4 and returns the samples by series. */
function parseExposition(text: string): Map<string, number> {
  expect(text.endsWith("\n")).toBe(true);
  const samples = new Map<string, number>();
  const typed = new Map<string, string>();
  const sample =
    /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$/;
  for (const line of text.slice(0, -1).split("\n")) {
    if (line.startsWith("# HELP ")) {
      expect(line).toMatch(/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .+$/);
      continue;
    }
    if (line.startsWith("# TYPE ")) {
      const [, , name, kind] = line.split(" ");
      expect(["counter", "gauge", "histogram"]).toContain(kind);
      expect(typed.has(name!)).toBe(false); // one TYPE line per family
      typed.set(name!, kind!);
      continue;
    }
    const m = sample.exec(line);
    expect(m, `not a sample line: ${line}`).not.toBeNull();
    const family = m![1]!.replace(/_(bucket|sum|count)$/, "");
    expect(typed.has(m![1]!) || typed.get(family) === "histogram").toBe(true); // TYPE comes first
    samples.set(`${m![1]}${m![2] ?? ""}`, Number(m![3]!.replace("+Inf", "Infinity")));
  }
  return samples;
}

describe("createMetrics", () => {
  it("renders counters, gauges and cumulative histograms in the Prometheus text format", async () => {
    const metrics = createMetrics();
    const c = metrics.counter("test_jobs_total", "Jobs done.", ["kind"]);
    c.inc({ kind: "a" });
    c.inc({ kind: "a" }, 2);
    c.inc({ kind: 'we"ird\\\nname' });
    const g = metrics.gauge("test_queue_depth", "Jobs waiting.\nSecond line.");
    g.set(7);
    g.inc(undefined, -2);
    const h = metrics.histogram("test_latency_seconds", "Latency.", ["route"], [0.1, 1, 0.5]);
    for (const v of [0.05, 0.3, 0.7, 2]) h.observe(v, { route: "/x" });
    const text = await metrics.render();
    const s = parseExposition(text);
    expect(s.get('test_jobs_total{kind="a"}')).toBe(3);
    expect(s.get('test_jobs_total{kind="we\\"ird\\\\\\nname"}')).toBe(1);
    expect(s.get("test_queue_depth")).toBe(5);
    expect(text).toContain("# HELP test_queue_depth Jobs waiting.\\nSecond line.\n");
    expect(text).toContain("# TYPE test_latency_seconds histogram\n");
    expect(s.get('test_latency_seconds_bucket{route="/x",le="0.1"}')).toBe(1);
    expect(s.get('test_latency_seconds_bucket{route="/x",le="0.5"}')).toBe(2);
    expect(s.get('test_latency_seconds_bucket{route="/x",le="1"}')).toBe(3);
    expect(s.get('test_latency_seconds_bucket{route="/x",le="+Inf"}')).toBe(4);
    expect(s.get('test_latency_seconds_count{route="/x"}')).toBe(4);
    expect(s.get('test_latency_seconds_sum{route="/x"}')).toBeCloseTo(3.05);
  });

  it("returns the same metric for the same name, and refuses bad names, labels and decrements", () => {
    const metrics = createMetrics();
    const a = metrics.counter("x_total", "X.", ["k"]);
    a.inc({ k: "1" });
    metrics.counter("x_total", "X.", ["k"]).inc({ k: "1" });
    expect(() => metrics.gauge("x_total", "X.", ["k"])).toThrow(/exists as a counter/);
    expect(() => metrics.counter("x_total", "X.", ["other"])).toThrow(/exists/);
    expect(() => metrics.counter("bad-name", "X.")).toThrow(/not a Prometheus name/);
    expect(() => metrics.histogram("h", "H.", ["le"])).toThrow(/not valid/);
    expect(() => a.inc({ k: "1", extra: "2" })).toThrow(/takes labels/);
    expect(() => a.inc({ k: "1" }, -1)).toThrow(/only go up/);
  });

  it("runs collectors before rendering", async () => {
    const metrics = createMetrics();
    const g = metrics.gauge("y", "Y.");
    let n = 0;
    metrics.onCollect(async () => g.set(++n));
    await metrics.render();
    expect(parseExposition(await metrics.render()).get("y")).toBe(2);
  });
});

describe("GET /metrics", () => {
  it("counts requests by method, route pattern and status, with latency and process memory", async () => {
    const metrics = createMetrics();
    const app = createApp({ metrics });
    metrics.counter("tributary_custom_total", "Added by a service.").inc();
    await app.request("/health");
    await app.request("/health");
    await app.request("/nope/123");
    const res = await app.request("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const s = parseExposition(await res.text());
    expect(s.get('tributary_http_requests_total{method="GET",route="/health",status="200"}')).toBe(2);
    expect(s.get('tributary_http_requests_total{method="GET",route="unmatched",status="404"}')).toBe(1);
    expect(s.get('tributary_http_request_duration_seconds_count{method="GET",route="/health"}')).toBe(2);
    expect(
      s.get('tributary_http_request_duration_seconds_bucket{method="GET",route="/health",le="+Inf"}'),
    ).toBe(2);
    expect(s.get("process_resident_memory_bytes")).toBeGreaterThan(1_000_000);
    expect(s.get("nodejs_heap_used_bytes")).toBeGreaterThan(0);
    expect(s.get("tributary_custom_total")).toBe(1);
  });
});
