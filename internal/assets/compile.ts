// The `bun build --compile` command line for the edgebox executable, shared
// by the development build and the release. The executable must not pick up
// a .env or bunfig.toml from the directory it runs in: that directory is the
// (untrusted) app's, and bunfig's `preload` would run its code in the host.

import { join } from "node:path";

export function compileCommand(root: string, outfile: string, extra: string[] = []): string[] {
  return [
    process.execPath, "build", "--compile", "--no-compile-autoload-dotenv", "--no-compile-autoload-bunfig",
    "--bytecode", "--format=esm", "--splitting", "--minify", ...extra,
    join(root, "cmd", "edgebox.ts"), "--outfile", outfile,
  ];
}
