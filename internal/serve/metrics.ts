// Server metrics in Prometheus's text format: requests by status, errors by
// kind, and histograms of instantiate and handler time. Histograms (not
// precomputed percentiles) so that the workers' numbers add up.

const BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface MetricsSnapshot {
  requests: Record<string, number>;
  errors: Record<string, number>;
  instantiate: number[];
  handler: number[];
  instantiateSum: number;
  handlerSum: number;
  count: number;
}

export class Metrics {
  private s: MetricsSnapshot = { requests: {}, errors: {}, instantiate: BUCKETS.map(() => 0), handler: BUCKETS.map(() => 0), instantiateSum: 0, handlerSum: 0, count: 0 };

  record(status: number, kind: string, instantiateMs: number, handlerMs: number): void {
    const s = this.s;
    s.requests[status] = (s.requests[status] ?? 0) + 1;
    if (kind !== "ok") s.errors[kind] = (s.errors[kind] ?? 0) + 1;
    s.count++;
    s.instantiateSum += instantiateMs / 1000;
    s.handlerSum += handlerMs / 1000;
    BUCKETS.forEach((b, i) => {
      if (instantiateMs / 1000 <= b) s.instantiate[i]!++;
      if (handlerMs / 1000 <= b) s.handler[i]!++;
    });
  }

  snapshot(): MetricsSnapshot {
    return structuredClone(this.s);
  }
}

/** Several workers' snapshots as one. */
export function merge(all: MetricsSnapshot[]): MetricsSnapshot {
  const out: MetricsSnapshot = { requests: {}, errors: {}, instantiate: BUCKETS.map(() => 0), handler: BUCKETS.map(() => 0), instantiateSum: 0, handlerSum: 0, count: 0 };
  for (const s of all) {
    for (const [k, v] of Object.entries(s.requests)) out.requests[k] = (out.requests[k] ?? 0) + v;
    for (const [k, v] of Object.entries(s.errors)) out.errors[k] = (out.errors[k] ?? 0) + v;
    s.instantiate.forEach((v, i) => (out.instantiate[i]! += v));
    s.handler.forEach((v, i) => (out.handler[i]! += v));
    out.instantiateSum += s.instantiateSum;
    out.handlerSum += s.handlerSum;
    out.count += s.count;
  }
  return out;
}

export function prometheus(s: MetricsSnapshot): string {
  const lines: string[] = [];
  lines.push("# HELP edgebox_requests_total Requests answered, by status.", "# TYPE edgebox_requests_total counter");
  for (const [status, n] of Object.entries(s.requests)) lines.push(`edgebox_requests_total{status="${status}"} ${n}`);
  lines.push("# HELP edgebox_request_errors_total Requests that failed, by kind.", "# TYPE edgebox_request_errors_total counter");
  for (const [kind, n] of Object.entries(s.errors)) lines.push(`edgebox_request_errors_total{kind="${kind}"} ${n}`);
  const histogram = (name: string, help: string, counts: number[], sum: number) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
    BUCKETS.forEach((b, i) => lines.push(`${name}_bucket{le="${b}"} ${counts[i]}`));
    lines.push(`${name}_bucket{le="+Inf"} ${s.count}`, `${name}_sum ${sum}`, `${name}_count ${s.count}`);
  };
  histogram("edgebox_instantiate_seconds", "Time to instantiate a request's fresh instance.", s.instantiate, s.instantiateSum);
  histogram("edgebox_handler_seconds", "Time from instance ready to response.", s.handler, s.handlerSum);
  return `${lines.join("\n")}\n`;
}
