// kubeconform for the manifests' test (tests/deploy.test.ts), with no network
// but the Go module proxy: kubeconform built by `go install` at a pinned
// version, and its schemas made here from the OpenAPI spec that the pinned
// k8s.io/kubernetes module carries (api/openapi-spec/swagger.json), in the
// layout kubeconform's -schema-location template expects. Both are made once
// into a cache dir outside the repo; the Go caches they need are temporary.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";

const KUBECONFORM_VERSION = "v0.8.0";
export const KUBERNETES_VERSION = "v1.37.2";

const CACHE = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "edgebox-tests", `kubeconform-${KUBECONFORM_VERSION}-k8s-${KUBERNETES_VERSION}`);

export interface Kubeconform {
  bin: string;
  /** the -schema-location template */
  schemaLocation: string;
}

/** Go, or undefined: the Go toolchain is on every machine of the project's kind (/usr/local/go). */
export function findGo(): string | undefined {
  return Bun.which("go") ?? (existsSync("/usr/local/go/bin/go") ? "/usr/local/go/bin/go" : undefined);
}

/** Build kubeconform and make its schemas, unless the cache has them. */
export function ensureKubeconform(go: string): Kubeconform {
  const result = { bin: join(CACHE, "bin", "kubeconform"), schemaLocation: join(CACHE, "schemas", "{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}", "{{ .ResourceKind }}{{ .KindSuffix }}.json") };
  if (existsSync(join(CACHE, "done"))) return result;
  mkdirSync(join(CACHE, ".."), { recursive: true });
  const work = mkdtempSync(join(tmpdir(), "edgebox-kubeconform-"));
  const out = mkdtempSync(`${CACHE}.partial-`); // beside the cache: renamed into place at the end
  try {
    const env = {
      ...process.env,
      GOMODCACHE: join(work, "mod"),
      GOCACHE: join(work, "gocache"),
      GOPATH: join(work, "gopath"),
      GOBIN: join(out, "bin"),
      GOFLAGS: "-modcacherw -buildvcs=false", // so the temporary module cache can be removed
      GOTOOLCHAIN: "local",
    };
    const run = (args: string[]) => {
      const r = Bun.spawnSync([go, ...args], { env, cwd: work, stdout: "pipe", stderr: "pipe" });
      if (r.exitCode !== 0) throw new Error(`go ${args.join(" ")} failed:\n${r.stderr.toString()}`);
      return r.stdout.toString();
    };
    run(["install", `github.com/yannh/kubeconform/cmd/kubeconform@${KUBECONFORM_VERSION}`]);
    const { Dir } = JSON.parse(run(["mod", "download", "-json", `k8s.io/kubernetes@${KUBERNETES_VERSION}`]));
    const swagger = JSON.parse(readFileSync(join(Dir, "api", "openapi-spec", "swagger.json"), "utf8"));
    const dir = join(out, "schemas", `${KUBERNETES_VERSION}-standalone-strict`);
    mkdirSync(dir, { recursive: true });
    for (const [name, file] of Object.entries(strictSchemas(swagger.definitions))) writeFileSync(join(dir, name), JSON.stringify(file));
    writeFileSync(join(out, "done"), `kubeconform ${KUBECONFORM_VERSION}, schemas from k8s.io/kubernetes ${KUBERNETES_VERSION}\n`);
    rmSync(CACHE, { recursive: true, force: true });
    renameSync(out, CACHE); // whole or not at all, if two test runs race
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  }
  return result;
}

/**
 * One file per kind, as kubeconform names them (deployment-apps-v1.json,
 * configmap-v1.json): the kind's definition with every definition it reaches
 * under `definitions` (the spec's own "#/definitions/..." refs then resolve in
 * the file: standalone), made strict as Kubernetes' server-side field
 * validation is: an object with declared properties takes no others.
 */
function strictSchemas(definitions: Record<string, any>): Record<string, object> {
  const defs: Record<string, any> = {};
  for (const [name, def] of Object.entries(definitions)) defs[name] = strict(fixType(name, structuredClone(def)));
  const files: Record<string, object> = {};
  for (const [name, def] of Object.entries(defs)) {
    for (const gvk of def["x-kubernetes-group-version-kind"] ?? []) {
      const reached: Record<string, any> = {};
      const visit = (node: any) => {
        if (Array.isArray(node)) return node.forEach(visit);
        if (!node || typeof node !== "object") return;
        const ref: unknown = node.$ref;
        if (typeof ref === "string" && ref.startsWith("#/definitions/")) {
          const target = ref.slice("#/definitions/".length);
          if (!(target in reached)) {
            reached[target] = defs[target];
            visit(defs[target]);
          }
        }
        for (const v of Object.values(node)) visit(v);
      };
      visit(def);
      // kubeconform's KindSuffix: the group's first label and the version ("-apps-v1"; "-v1" for the core group)
      const suffix = (gvk.group ? `-${gvk.group.split(".")[0]}` : "") + `-${gvk.version}`;
      files[`${gvk.kind.toLowerCase()}${suffix}.json`] = { ...def, definitions: reached };
    }
  }
  return files;
}

/** The two types whose YAML form the spec's types don't say: either an int or a string. */
function fixType(name: string, def: any): any {
  const { description } = def;
  if (name === "io.k8s.apimachinery.pkg.util.intstr.IntOrString") return { description, oneOf: [{ type: "string" }, { type: "integer" }] };
  if (name === "io.k8s.apimachinery.pkg.api.resource.Quantity") return { description, oneOf: [{ type: "string" }, { type: "number" }] };
  return def;
}

function strict(node: any): any {
  if (Array.isArray(node)) return node.map(strict);
  if (!node || typeof node !== "object") return node;
  for (const [k, v] of Object.entries(node)) if (k !== "properties" || typeof v !== "object") node[k] = strict(v);
  if (node.properties) {
    for (const [k, v] of Object.entries(node.properties)) node.properties[k] = strict(v);
    if (!("additionalProperties" in node) && !node["x-kubernetes-preserve-unknown-fields"]) node.additionalProperties = false;
  }
  return node;
}
