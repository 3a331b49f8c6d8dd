// Server metrics in Prometheus's text format: requests by status, errors by
// kind, instances made ahead or on demand, and one histogram per phase of a
// request (parse, ready, first call, handler, response, teardown), so that
// each optimisation shows where it moved time. Histograms (not precomputed
// percentiles) so that the workers' numbers add up.

const BUCKETS = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const PHASES = ["parse", "ready", "first_call", "handler", "response", "teardown"] as const;
export type Phase = (typeof PHASES)[number];

const HELP: Record<Phase, string> = {
  parse: "the request's body read and its head encoded for the guest",
  ready: "a fresh instance of the image, side modules linked (on Linux usually an earlier request's, recycled; ahead of the request when the pool had one; URL, when the module scope left it untouched, links in the handler's time on first use)",
  first_call: "binding the fresh instance: its random seed written into its memory (its clock starts with the handler)",
  handler: "the app's fetch, up to its response",
  response: "the response out of the guest and into a Response",
  teardown: "the instance released, after the response (its memory put back to the image when it is recycled)",
};

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

export interface MetricsSnapshot {
  requests: Record<string, number>;
  errors: Record<string, number>;
  /** Instances made ahead (the pool) or on the request's path. */
  instances: { ahead: number; onDemand: number };
  phases: Record<Phase, Histogram>;
}

const histogram = (): Histogram => ({ counts: BUCKETS.map(() => 0), sum: 0, count: 0 });
const empty = (): MetricsSnapshot => ({
  requests: {},
  errors: {},
  instances: { ahead: 0, onDemand: 0 },
  phases: Object.fromEntries(PHASES.map((p) => [p, histogram()])) as Record<Phase, Histogram>,
});

export class Metrics {
  private s = empty();

  request(status: number, kind: string): void {
    const s = this.s;
    s.requests[status] = (s.requests[status] ?? 0) + 1;
    if (kind !== "ok") s.errors[kind] = (s.errors[kind] ?? 0) + 1;
  }

  instance(ahead: boolean): void {
    if (ahead) this.s.instances.ahead++;
    else this.s.instances.onDemand++;
  }

  phase(phase: Phase, ms: number): void {
    const h = this.s.phases[phase];
    const seconds = ms / 1000;
    h.count++;
    h.sum += seconds;
    const i = BUCKETS.findIndex((b) => seconds <= b);
    if (i >= 0) h.counts[i]!++;
  }

  snapshot(): MetricsSnapshot {
    return structuredClone(this.s);
  }
}

/** Several workers' snapshots as one. */
export function merge(all: MetricsSnapshot[]): MetricsSnapshot {
  const out = empty();
  for (const s of all) {
    for (const [k, v] of Object.entries(s.requests)) out.requests[k] = (out.requests[k] ?? 0) + v;
    for (const [k, v] of Object.entries(s.errors)) out.errors[k] = (out.errors[k] ?? 0) + v;
    out.instances.ahead += s.instances.ahead;
    out.instances.onDemand += s.instances.onDemand;
    for (const p of PHASES) {
      const h = out.phases[p];
      s.phases[p].counts.forEach((v, i) => (h.counts[i]! += v));
      h.sum += s.phases[p].sum;
      h.count += s.phases[p].count;
    }
  }
  return out;
}

export function prometheus(s: MetricsSnapshot): string {
  const lines: string[] = [];
  lines.push("# HELP edgebox_requests_total Requests answered, by status.", "# TYPE edgebox_requests_total counter");
  for (const [status, n] of Object.entries(s.requests)) lines.push(`edgebox_requests_total{status="${status}"} ${n}`);
  lines.push("# HELP edgebox_request_errors_total Requests that failed, by kind.", "# TYPE edgebox_request_errors_total counter");
  for (const [kind, n] of Object.entries(s.errors)) lines.push(`edgebox_request_errors_total{kind="${kind}"} ${n}`);
  lines.push("# HELP edgebox_instances_total Instances a request got: made ahead (the pool) or on its path.", "# TYPE edgebox_instances_total counter");
  lines.push(`edgebox_instances_total{made="ahead"} ${s.instances.ahead}`, `edgebox_instances_total{made="on_demand"} ${s.instances.onDemand}`);
  lines.push("# HELP edgebox_request_phase_seconds Time of each phase of a request: " + PHASES.map((p) => `${p}: ${HELP[p]}`).join("; ") + ".");
  lines.push("# TYPE edgebox_request_phase_seconds histogram");
  for (const p of PHASES) {
    const h = s.phases[p];
    let cumulative = 0;
    BUCKETS.forEach((b, i) => lines.push(`edgebox_request_phase_seconds_bucket{phase="${p}",le="${b}"} ${(cumulative += h.counts[i]!)}`));
    lines.push(`edgebox_request_phase_seconds_bucket{phase="${p}",le="+Inf"} ${h.count}`);
    lines.push(`edgebox_request_phase_seconds_sum{phase="${p}"} ${h.sum}`, `edgebox_request_phase_seconds_count{phase="${p}"} ${h.count}`);
  }
  return `${lines.join("\n")}\n`;
}
