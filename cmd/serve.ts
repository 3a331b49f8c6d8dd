import { UserError } from "../internal/errors.ts";
import type { Command } from "./edgebox.ts";
import { grantArgs, grantFlags, grantLists } from "./grants.ts";

function intFlag(flag: string, value: unknown, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UserError("E_USAGE", `--${flag} takes a whole number of at least ${min} (got '${value}')`);
  return n;
}

export default {
  meta: {
    name: "serve",
    description:
      "Serve an app over HTTP: each request runs in a fresh sandbox, under the app's policy. The app exports default { fetch(request, env, ctx) }",
  },
  examples: [
    "edgebox serve app.js                     # http://127.0.0.1:3000, a fresh sandbox per request",
    "edgebox serve app.ebx --port 3000 --workers 2 --timeout 1000",
    "edgebox serve app.ts --json --metrics 9090",
  ],
  args: {
    app: { type: "positional", description: "The app: a script, a built artifact (.ebx) or an app directory", required: true },
    port: { type: "string", alias: "p", valueHint: "port", description: "Port to listen on (default: the policy's daemon.port, else 3000; 0 picks a free one)" },
    host: { type: "string", valueHint: "address", description: "Address to listen on (default: the policy's daemon.host, else 127.0.0.1)" },
    workers: { type: "string", valueHint: "n", description: "Server processes sharing the port (default: one per core); a worker that dies is restarted" },
    timeout: { type: "string", valueHint: "ms", description: "Per-request time limit (default: daemon.exec_timeout_ms, else 30000); past it the client gets 504" },
    maxMemory: { type: "string", valueHint: "MiB", description: "Per-request memory cap (default: runtime.max_memory_pages when set, else 128); past it the client gets 500" },
    poolSize: { type: "string", valueHint: "n", description: "Fresh instances each worker keeps ready ahead of requests (default: daemon.pool_size, else 8); each is used by one request only" },
    maxBody: { type: "string", valueHint: "bytes", description: "Largest request body accepted (default 16 MiB); larger gets 413" },
    dev: { type: "boolean", description: "Send errors and their stacks to the client (otherwise only the log has them)" },
    quiet: { type: "boolean", description: "Log only failed requests" },
    json: { type: "boolean", description: "Log one JSON object per request" },
    metrics: { type: "string", valueHint: "port", description: "Serve Prometheus metrics (/metrics) and health checks (/healthz: alive, /readyz: 503 once stopping) on this port" },
    engine: { type: "enum", options: ["native", "js"], description: "WebAssembly engine (default native)" },
    audit: { type: "string", valueHint: "file", description: "Append one JSON line per capability decision of every request to this file; default: the policy's \"audit\"" },
    ...grantArgs,
  },
  optionalList: grantLists,
  async main({ flags, positionals }) {
    const { createConsola } = await import("consola/basic");
    const log = createConsola({ stdout: process.stdout, stderr: process.stderr });
    const { serve } = await import("../internal/serve/index.ts");
    return await serve({
      target: positionals[0]!,
      cwd: process.cwd(),
      host: typeof flags.host === "string" ? flags.host : undefined,
      port: intFlag("port", flags.port, 0),
      workers: intFlag("workers", flags.workers, 1),
      timeoutMs: intFlag("timeout", flags.timeout, 1),
      maxMemoryMiB: intFlag("max-memory", flags.maxMemory, 1),
      poolSize: intFlag("pool-size", flags.poolSize, 0),
      maxBody: intFlag("max-body", flags.maxBody, 0) ?? 16 << 20,
      dev: flags.dev === true,
      quiet: flags.quiet === true,
      json: flags.json === true,
      metricsPort: intFlag("metrics", flags.metrics, 0),
      engine: flags.engine as "native" | "js" | undefined,
      grants: grantFlags(flags),
      config: typeof flags.config === "string" ? flags.config : undefined,
      audit: typeof flags.audit === "string" ? flags.audit : undefined,
      info: (m) => log.info(m),
      warn: (m) => log.warn(m),
    });
  },
} satisfies Command;
