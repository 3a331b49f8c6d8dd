// The OCI image of a Linux edgebox, written as an OCI image layout (a
// directory of content-addressed blobs, and the same as one .tar) with no
// container daemon. Distroless-style: glibc and libgcc_s (edgebox, its host
// library and Wasmtime's are linked against them) and the CA certificates,
// taken from Debian's packages; a non-root user; edgebox; optionally the app.
//
//   bun internal/assets/oci.ts --binary dist/edgebox --out dist/oci [--app dir] [--tag 0.1.0]
//
// The image runs `edgebox serve /app` on 0.0.0.0:8080, with metrics and
// health checks on :9090 (/metrics, /healthz, /readyz). The app and its
// policy are copied in with --app, or mounted at /app (a Kubernetes ConfigMap,
// deploy/kubernetes/).

import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { tar, type TarEntry } from "./tar.ts";

const root = join(import.meta.dir, "..", "..");
const MULTIARCH = "x86_64-linux-gnu";
/** Debian packages the image takes files from (the versions this machine's apt serves, recorded in the image's labels). */
const DEBS = ["libc6", "libgcc-s1", "gcc-12-base", "ca-certificates"];
export const NONROOT = 65532; // distroless's "nonroot"
export const PORTS = { http: 8080, metrics: 9090 };

class ImageError extends Error {}

function sh(argv: string[], cwd?: string): string {
  const p = Bun.spawnSync(argv, { cwd, stdout: "pipe", stderr: "pipe" });
  if (p.exitCode !== 0) throw new ImageError(`${argv.join(" ")} failed: ${p.stderr.toString().trim()}`);
  return p.stdout.toString();
}

/** The .deb files, downloaded once into the cache (apt-get download: Debian's own client). */
function debs(cache: string): Map<string, string> {
  mkdirSync(cache, { recursive: true });
  const find = () => new Map(DEBS.map((d) => [d, readdirSync(cache).find((f) => f.startsWith(`${d}_`) && f.endsWith(".deb"))]));
  let found = find();
  if ([...found.values()].some((f) => !f)) {
    if (!Bun.which("apt-get") || !Bun.which("dpkg-deb")) throw new ImageError("building the image needs Debian's apt-get and dpkg-deb (for glibc and CA certificates)");
    sh(["apt-get", "download", ...DEBS], cache);
    found = find();
  }
  return new Map([...found].map(([d, f]) => [d, join(cache, f!)]));
}

function sha256(data: Uint8Array): string {
  return new Bun.CryptoHasher("sha256").update(data).digest("hex");
}

/** Files of an extracted package tree under `dir` that the image keeps, as tar entries (root-owned). */
function treeEntries(dir: string, keep: (path: string) => boolean): TarEntry[] {
  const out: TarEntry[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const path = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(dir, path));
      if (st.isDirectory()) walk(path);
      else if (keep(path)) {
        if (st.isSymbolicLink()) out.push({ path, type: "symlink", mode: 0o777, target: readlinkSync(join(dir, path)) });
        else out.push({ path, type: "file", mode: st.mode & 0o755, data: readFileSync(join(dir, path)) });
      }
    }
  };
  walk("");
  return out;
}

/** Parent directories of every entry, each once, before the entries. */
function withDirs(entries: TarEntry[], extraDirs: TarEntry[] = []): TarEntry[] {
  const dirs = new Map<string, TarEntry>(extraDirs.map((d) => [d.path, d]));
  for (const e of entries) {
    const parts = e.path.split("/");
    for (let i = 1; i < parts.length; i++) {
      const p = parts.slice(0, i).join("/");
      if (!dirs.has(p)) dirs.set(p, { path: p, type: "dir", mode: 0o755 });
    }
  }
  return [...[...dirs.values()].sort((a, b) => a.path.localeCompare(b.path)), ...entries.sort((a, b) => a.path.localeCompare(b.path))];
}

function baseLayer(cache: string): { entries: TarEntry[]; labels: Record<string, string> } {
  const files = debs(join(cache, "debs"));
  const tree = join(tmpdir(), `edgebox-oci-${process.pid}`);
  rmSync(tree, { recursive: true, force: true });
  try {
    const labels: Record<string, string> = {};
    for (const [name, deb] of files) {
      sh(["dpkg-deb", "-x", deb, tree]);
      labels[`dev.edgebox.debian.${name}`] = sh(["dpkg-deb", "-f", deb, "Version"]).trim();
    }
    const entries = treeEntries(tree, (p) =>
      // the shared libraries (not gconv, locales or tools), the dynamic loader's link, and every licence
      (p.startsWith(`lib/${MULTIARCH}/`) && /\.so(\.\d+)*$/.test(p)) || p.startsWith("lib64/") || /^usr\/share\/doc\/[^/]+\/copyright$/.test(p),
    );
    // update-ca-certificates' bundle, made as it makes it: the certificates concatenated
    const certDir = join(tree, "usr", "share", "ca-certificates", "mozilla");
    const bundle = readdirSync(certDir)
      .filter((f) => f.endsWith(".crt"))
      .sort()
      .map((f) => readFileSync(join(certDir, f), "utf8").trimEnd() + "\n")
      .join("");
    const text = (path: string, s: string, mode = 0o644): TarEntry => ({ path, type: "file", mode, data: new TextEncoder().encode(s) });
    entries.push(
      text("etc/ssl/certs/ca-certificates.crt", bundle),
      text("etc/passwd", `root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:${NONROOT}:${NONROOT}:nonroot:/home/nonroot:/sbin/nologin\n`),
      text("etc/group", `root:x:0:\nnonroot:x:${NONROOT}:\n`),
      text("etc/nsswitch.conf", "hosts: files dns\n"),
    );
    const dirs: TarEntry[] = [
      { path: "tmp", type: "dir", mode: 0o1777 },
      { path: "home/nonroot", type: "dir", mode: 0o700, uid: NONROOT, gid: NONROOT },
      { path: "app", type: "dir", mode: 0o755 },
    ];
    return { entries: withDirs(entries, dirs), labels };
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
}

/** The app directory's files, root-owned and read-only for the server. */
function appLayer(dir: string): TarEntry[] {
  const entries = treeEntries(dir, (p) => !p.split("/").includes(".git")).map((e) => ({ ...e, path: `app/${e.path}`, mode: e.type === "file" ? 0o644 : e.mode }));
  return withDirs(entries);
}

export interface ImageOptions {
  binary: string;
  out: string;
  app?: string;
  tag?: string;
  cache?: string;
}

export interface Image {
  /** The OCI image layout directory (`umoci unpack --image <layout>:<tag>`, `skopeo copy oci:<layout>:<tag> ...`). */
  layout: string;
  /** The same layout as one tar (`podman load -i`, `skopeo copy oci-archive:...`). */
  archive: string;
  tag: string;
  /** The image's digest: its manifest's sha256 ("sha256:..."). */
  digest: string;
}

export function buildImage(o: ImageOptions): Image {
  const tag = o.tag ?? pkg.version;
  const cache = o.cache ?? join(root, ".cache", "oci");
  const name = `edgebox-${pkg.version}-linux-x64-oci`;
  const layout = join(o.out, name);
  rmSync(layout, { recursive: true, force: true });
  mkdirSync(join(layout, "blobs", "sha256"), { recursive: true });
  const blob = (data: Uint8Array, mediaType: string) => {
    const digest = sha256(data);
    writeFileSync(join(layout, "blobs", "sha256", digest), data);
    return { mediaType, digest: `sha256:${digest}`, size: data.length };
  };

  const base = baseLayer(cache);
  const bin: TarEntry = { path: "usr/local/bin/edgebox", type: "file", mode: 0o755, data: readFileSync(o.binary) };
  const layers = [
    { entries: base.entries, comment: "glibc, libgcc_s, CA certificates (Debian), the nonroot user" },
    { entries: withDirs([bin]), comment: `edgebox ${pkg.version}` },
    ...(o.app ? [{ entries: appLayer(o.app), comment: "the app and its policy" }] : []),
  ].map((l) => {
    const raw = tar(l.entries);
    return { raw, gz: Bun.gzipSync(raw, { level: 9 }), comment: l.comment };
  });
  const config = {
    created: "1970-01-01T00:00:00Z",
    architecture: "amd64",
    os: "linux",
    config: {
      User: `${NONROOT}:${NONROOT}`,
      Env: ["PATH=/usr/local/bin", "HOME=/home/nonroot", "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"],
      Entrypoint: ["/usr/local/bin/edgebox"],
      Cmd: ["serve", "/app", "--host", "0.0.0.0", "--port", String(PORTS.http), "--metrics", String(PORTS.metrics)],
      WorkingDir: "/app",
      ExposedPorts: { [`${PORTS.http}/tcp`]: {}, [`${PORTS.metrics}/tcp`]: {} },
      StopSignal: "SIGTERM",
      Labels: { "org.opencontainers.image.title": "edgebox", "org.opencontainers.image.version": pkg.version, "org.opencontainers.image.licenses": "MIT", ...base.labels },
    },
    rootfs: { type: "layers", diff_ids: layers.map((l) => `sha256:${sha256(l.raw)}`) },
    history: layers.map((l) => ({ created: "1970-01-01T00:00:00Z", created_by: "edgebox internal/assets/oci.ts", comment: l.comment })),
  };
  const manifest = {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: blob(new TextEncoder().encode(JSON.stringify(config)), "application/vnd.oci.image.config.v1+json"),
    layers: layers.map((l) => blob(l.gz, "application/vnd.oci.image.layer.v1.tar+gzip")),
  };
  const m = blob(new TextEncoder().encode(JSON.stringify(manifest)), manifest.mediaType);
  const index = {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [{ ...m, platform: { architecture: "amd64", os: "linux" }, annotations: { "org.opencontainers.image.ref.name": tag } }],
  };
  writeFileSync(join(layout, "index.json"), JSON.stringify(index));
  writeFileSync(join(layout, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));

  // the layout as one archive: its files, in a fixed order
  const files: TarEntry[] = [];
  const walk = (dir: string) => {
    for (const f of readdirSync(dir).sort()) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else files.push({ path: relative(layout, p), type: "file", mode: 0o644, data: readFileSync(p) });
    }
  };
  walk(layout);
  const archive = join(o.out, `${name}.tar`);
  writeFileSync(archive, tar(withDirs(files)));
  return { layout, archive, tag, digest: m.digest };
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const opt = (flag: string) => {
    const i = args.indexOf(flag);
    return i === -1 ? undefined : args[i + 1];
  };
  const binary = opt("--binary") ?? join(root, "dist", "edgebox");
  const out = opt("--out") ?? join(root, "dist", "oci");
  try {
    if (!existsSync(binary)) throw new ImageError(`${binary} does not exist: build it first (npm run build)`);
    if (process.platform !== "linux" || process.arch !== "x64") throw new ImageError("the image is built for linux-x64 from a linux-x64 edgebox (glibc from Debian amd64)");
    const app = opt("--app");
    if (app && !statSync(app, { throwIfNoEntry: false })?.isDirectory()) throw new ImageError(`--app ${app}: not a directory`);
    const image = buildImage({ binary, out, app, tag: opt("--tag") });
    console.error(`edgebox image: ${image.layout} (${image.tag}, ${image.digest}); archive ${image.archive}`);
  } catch (err) {
    if (!(err instanceof ImageError)) throw err;
    console.error(`edgebox image: ${err.message}`);
    process.exit(1);
  }
}
