// `npm run bench`: every benchmark, one after the other.
for (const b of ["micro.ts", "startup.ts", "compute.ts", "packages.ts", "build.ts", "everyday.ts", "serve.ts", "serve-phases.ts"]) {
  const p = Bun.spawnSync([process.execPath, import.meta.dir + "/" + b], { stdout: "inherit", stderr: "inherit" });
  if (p.exitCode !== 0) process.exit(p.exitCode ?? 1);
  console.log();
}
