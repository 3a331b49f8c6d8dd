// How to start this same edgebox again (serve's workers, run --watch): the
// executable (its embedded entry is argv[1]), or bun running cmd/main.ts.
export function selfCommand(): string[] {
  return process.argv[1]?.startsWith("/$bunfs/") ? [process.execPath] : [process.execPath, process.argv[1]!];
}
