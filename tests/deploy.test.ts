// Deploying: the OCI image (internal/assets/oci.ts) unpacked by umoci and run
// by runc, answering on loopback and draining on SIGTERM; and the Kubernetes
// manifests (deploy/kubernetes/) validated by kubeconform against Kubernetes'
// schemas and run as the Deployment describes them (read-only root, the
// ConfigMap's files laid out as the kubelet lays them out, the probes' paths).

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { buildImage, NONROOT, type Image } from "../internal/assets/oci.ts";
import { EDGEBOX, waitFor } from "./helpers.ts";
import { ensureKubeconform, findGo, KUBERNETES_VERSION, type Kubeconform } from "./kubeconform.ts";

const KUBE = join(import.meta.dir, "..", "deploy", "kubernetes");
const docs = readdirSync(KUBE)
  .filter((f) => f.endsWith(".yaml"))
  .flatMap((f) => parseAllDocuments(readFileSync(join(KUBE, f), "utf8")).map((d) => ({ file: f, doc: d.toJS() })));
const deployment = docs.find((d) => d.doc.kind === "Deployment")!.doc;
const container = deployment.spec.template.spec.containers[0];
const configMap = docs.find((d) => d.doc.kind === "ConfigMap")!.doc;

// kubeconform (tests/kubeconform.ts: built from the Go module proxy, schemas from
// the k8s.io/kubernetes module's OpenAPI spec); Go is on every machine of the
// project's kind, so under CI its absence fails the tests.
const go = findGo();
if (!go && process.env.CI) throw new Error("the manifests' validation needs Go (kubeconform) under CI");

describe("Kubernetes manifests", () => {
  let kubeconform: Kubeconform;
  let dir = "";
  beforeAll(() => {
    if (go) kubeconform = ensureKubeconform(go); // the first time only: 30 to 50 s of CPU (Go build, a 21 MB module download)
    dir = mkdtempSync(join(tmpdir(), "edgebox-kube-"));
  }, 600_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** kubeconform -strict on the files: unknown fields, wrong types and duplicated keys fail, and so does a kind it has no schema for. */
  function validate(...files: string[]): { ok: boolean; out: string } {
    const r = Bun.spawnSync(
      [kubeconform.bin, "-strict", "-summary", "-kubernetes-version", KUBERNETES_VERSION.slice(1), "-schema-location", kubeconform.schemaLocation, ...files],
      { stdout: "pipe", stderr: "pipe" },
    );
    return { ok: r.exitCode === 0, out: r.stdout.toString() + r.stderr.toString() };
  }

  /** deployment.yaml with one line changed: a copy in the temp dir. */
  function broken(name: string, from: string, to: string): string {
    const text = readFileSync(join(KUBE, "deployment.yaml"), "utf8");
    expect(text).toContain(from);
    const file = join(dir, `${name}.yaml`);
    writeFileSync(file, text.replace(from, to));
    return file;
  }

  test.skipIf(!go)("every document validates against Kubernetes' schemas (kubeconform -strict)", () => {
    expect(docs.map((d) => d.doc.kind).sort()).toEqual(["ConfigMap", "Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Service"]);
    const r = validate(...readdirSync(KUBE).filter((f) => f.endsWith(".yaml")).map((f) => join(KUBE, f)));
    expect(r.out).toContain(`Valid: ${docs.length}, Invalid: 0, Errors: 0, Skipped: 0`);
    expect(r.ok).toBe(true);
  });

  test.skipIf(!go)("kubeconform rejects a misspelled field, a wrong type, a duplicated key, a missing field, an unknown kind", () => {
    const cases: [string, string, string, RegExp][] = [
      ["replica", "\n  replicas: 2\n", "\n  replica: 2\n", /at '\/spec': additional properties 'replica' not allowed/],
      ["port-name", "containerPort: 9090", "contanerPort: 9090", /additional properties 'contanerPort' not allowed/],
      ["port-type", "containerPort: 8080", 'containerPort: "8080"', /containerPort': got string, want integer/],
      ["duplicated", "\n  replicas: 2\n", "\n  replicas: 2\n  replicas: 3\n", /key "replicas" already set/],
      ["no-selector", "  selector:\n    matchLabels:\n      app.kubernetes.io/name: edgebox\n  template:", "  template:", /missing property 'selector'/],
      ["unknown-kind", "kind: Deployment", "kind: Deploymnet", /could not find schema for Deploymnet/],
    ];
    for (const [name, from, to, error] of cases) {
      const r = validate(broken(name, from, to));
      expect(r.out).toMatch(error);
      expect(r.ok).toBe(false);
    }
  });

  test("the pieces agree: ports, probes, selectors, grace period", () => {
    const args: string[] = container.args;
    const flag = (f: string) => args[args.indexOf(f) + 1];
    const ports = Object.fromEntries(container.ports.map((p: any) => [p.name, p.containerPort]));
    expect(Number(flag("--port"))).toBe(ports.http);
    expect(Number(flag("--metrics"))).toBe(ports.metrics);
    expect(container.readinessProbe.httpGet.path).toBe("/readyz");
    expect(container.livenessProbe.httpGet.path).toBe("/healthz");
    // preStop + the longest request (--timeout) + serve's 1 s margin end before the kubelet's SIGKILL
    const drain = container.lifecycle.preStop.sleep.seconds + Number(flag("--timeout")) / 1000 + 1;
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(drain);
    const labels = deployment.spec.template.metadata.labels;
    for (const { doc } of docs) {
      const sel = doc.spec?.selector?.matchLabels ?? (doc.kind === "Service" ? doc.spec.selector : undefined);
      if (sel) expect(labels).toMatchObject(sel);
    }
    expect(docs.find((d) => d.doc.kind === "HorizontalPodAutoscaler")!.doc.spec.scaleTargetRef.name).toBe(deployment.metadata.name);
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(deployment.spec.template.spec.securityContext.runAsUser).toBe(NONROOT);
  });
});

// Running containers needs root (runc rootful) and the Debian packages umoci and runc (.ci/run installs them).
const canRun = process.getuid?.() === 0 && !!Bun.which("runc") && !!Bun.which("umoci");
if (!canRun && process.env.CI) throw new Error("the image tests need root, runc and umoci under CI");

describe.skipIf(!canRun)("the OCI image under runc", () => {
  let dir = "";
  let image: Image;
  const running = new Set<string>();

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "edgebox-oci-"));
    const app = join(dir, "baked");
    mkdirSync(app);
    writeFileSync(
      join(app, "index.js"),
      `let n = 0;
export default { async fetch(req) {
  n++;
  const url = new URL(req.url);
  if (url.pathname === "/slow") await new Promise((r) => setTimeout(r, 1500));
  return new Response(\`count \${n} \${url.pathname}\\n\`);
} };
`,
    );
    writeFileSync(join(app, ".edgebox.json"), "{}\n");
    image = buildImage({ binary: EDGEBOX, out: join(dir, "out"), app });
  }, 120_000);

  afterAll(() => {
    for (const id of running) Bun.spawnSync(["runc", "delete", "-f", id]);
    rmSync(dir, { recursive: true, force: true });
  });

  async function freePort(): Promise<number> {
    const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
    const p = s.port!;
    await s.stop(true);
    return p;
  }

  /** Unpack the image into a runc bundle, adjust its config, and run it in the background. */
  function start(name: string, adjust: (config: any) => void) {
    const bundle = join(dir, name);
    const u = Bun.spawnSync(["umoci", "unpack", "--image", `${image.layout}:${image.tag}`, bundle], { stderr: "pipe" });
    expect(u.exitCode).toBe(0);
    const configFile = join(bundle, "config.json");
    const config = JSON.parse(readFileSync(configFile, "utf8"));
    // the host's loopback: no network namespace of its own
    config.linux.namespaces = config.linux.namespaces.filter((n: any) => n.type !== "network");
    config.process.terminal = false;
    adjust(config);
    writeFileSync(configFile, JSON.stringify(config));
    const id = `edgebox-test-${process.pid}-${name}`;
    running.add(id);
    const proc = Bun.spawn(["runc", "run", "--bundle", bundle, id], { stdout: "pipe", stderr: "pipe" });
    let log = "";
    for (const s of [proc.stdout, proc.stderr]) void (async () => {
      for await (const c of s as ReadableStream<Uint8Array>) log += new TextDecoder().decode(c);
    })();
    return { id, proc, log: () => log };
  }

  async function get(url: string): Promise<{ status: number; body: string }> {
    try {
      const r = await fetch(url);
      return { status: r.status, body: await r.text() };
    } catch {
      return { status: 0, body: "" };
    }
  }

  test("the image is a valid OCI layout with its digest, and its archive holds the same blobs", () => {
    const index = JSON.parse(readFileSync(join(image.layout, "index.json"), "utf8"));
    expect(index.manifests[0].digest).toBe(image.digest);
    const manifest = readFileSync(join(image.layout, "blobs", "sha256", image.digest.slice(7)));
    expect(`sha256:${new Bun.CryptoHasher("sha256").update(manifest).digest("hex")}`).toBe(image.digest);
    const listing = Bun.spawnSync(["tar", "-tf", image.archive]).stdout.toString();
    expect(listing).toContain("index.json");
    expect(listing).toContain(`blobs/sha256/${image.digest.slice(7)}`);
  });

  test("the baked-in app answers on loopback as the non-root user, a fresh sandbox per request, and SIGTERM drains", async () => {
    const [port, metrics] = [await freePort(), await freePort()];
    const c = start("baked", (config) => {
      config.process.args = ["/usr/local/bin/edgebox", "serve", "/app", "--host", "127.0.0.1", "--port", String(port), "--metrics", String(metrics), "--workers", "1"];
    });
    expect(await waitFor(() => c.log().includes("serving"), 30_000)).toBe(true);
    for (const path of ["/a", "/b"]) expect(await get(`http://127.0.0.1:${port}${path}`)).toEqual({ status: 200, body: `count 1 ${path}\n` });
    // the server runs as the image's non-root user (the guest sees only sandboxed ids)
    const pid = JSON.parse(Bun.spawnSync(["runc", "state", c.id]).stdout.toString()).pid;
    expect(readFileSync(`/proc/${pid}/status`, "utf8")).toMatch(new RegExp(`\\nUid:\\t${NONROOT}\\t`));
    expect(await get(`http://127.0.0.1:${metrics}/readyz`)).toEqual({ status: 200, body: "ready\n" });

    const slow = get(`http://127.0.0.1:${port}/slow`);
    await Bun.sleep(300);
    expect(Bun.spawnSync(["runc", "kill", c.id, "TERM"]).exitCode).toBe(0);
    await Bun.sleep(200);
    expect((await get(`http://127.0.0.1:${metrics}/readyz`)).status).toBe(503); // draining: no new traffic
    expect(await slow).toEqual({ status: 200, body: "count 1 /slow\n" });
    expect(await c.proc.exited).toBe(0);
    running.delete(c.id);
    Bun.spawnSync(["runc", "delete", "-f", c.id]);
  }, 60_000);

  test("as the Deployment runs it: read-only root, the ConfigMap's app mounted, probes answering", async () => {
    // the kubelet's layout of a ConfigMap volume: files in a timestamped dir, reached through ..data links
    const cm = join(dir, "configmap");
    const stamp = "..2026_12_06_00_00_00.000000001";
    mkdirSync(join(cm, stamp), { recursive: true });
    for (const [key, value] of Object.entries(configMap.data as Record<string, string>)) {
      writeFileSync(join(cm, stamp, key), value);
      symlinkSync(join("..data", key), join(cm, key));
    }
    symlinkSync(stamp, join(cm, "..data"));

    const [port, metrics] = [await freePort(), await freePort()];
    const args = [...(container.args as string[])];
    args[args.indexOf("--host") + 1] = "127.0.0.1";
    args[args.indexOf("--port") + 1] = String(port);
    args[args.indexOf("--metrics") + 1] = String(metrics);
    const c = start("deployment", (config) => {
      config.process.args = ["/usr/local/bin/edgebox", ...args];
      config.root.readonly = true;
      config.process.noNewPrivileges = true;
      const uid = deployment.spec.template.spec.securityContext.runAsUser;
      config.mounts.push(
        { destination: "/app", type: "bind", source: cm, options: ["rbind", "ro"] },
        ...container.volumeMounts
          .filter((m: any) => m.mountPath !== "/app")
          .map((m: any) => ({ destination: m.mountPath, type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", `uid=${uid}`, `gid=${uid}`, "mode=0700"] })),
      );
    });
    expect(await waitFor(() => c.log().includes("serving"), 30_000)).toBe(true);
    expect(await get(`http://127.0.0.1:${metrics}${container.livenessProbe.httpGet.path}`)).toEqual({ status: 200, body: "ok\n" });
    expect((await get(`http://127.0.0.1:${metrics}${container.readinessProbe.httpGet.path}`)).status).toBe(200);
    const r = await get(`http://127.0.0.1:${port}/hello`);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ hello: "from a fresh sandbox", path: "/hello" });
    expect(Bun.spawnSync(["runc", "kill", c.id, "TERM"]).exitCode).toBe(0);
    expect(await c.proc.exited).toBe(0);
    running.delete(c.id);
    Bun.spawnSync(["runc", "delete", "-f", c.id]);
  }, 60_000);
});
