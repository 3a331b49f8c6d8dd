// The source maps of a run's generated code (a built app's bundle, transpiled
// TypeScript, a file's linked map): kept by file, told to the guest so its stacks are mapped.

import type { SourceMap } from "../transpile/sourcemap.ts";
import { readBeneath } from "../hostcalls/index.ts";
import type { Sandbox } from "./index.ts";

/** A source map the host reads for an app's stack traces, at most (a bundle's map is rarely a tenth of it). */
const MAX_SOURCE_MAP = 64 << 20;

/** A source map for `file`: stacks through it are mapped, in the guest's err.stack and in what EdgeBox prints. */
export function addMap(sb: Sandbox, file: string, map: SourceMap): void {
  sb.maps.set(file, map);
  markMapped(sb, file);
}

export function markMapped(sb: Sandbox, file: string): void {
  sb.notify("markMapped", file);
}

/** A file's text if the app may read it and it is a regular file (a source map it names: printed, never given to the guest). */
export function readIfAllowed(sb: Sandbox, path: string): string | undefined {
  try {
    // (read beneath the grant, as the app reads: a link swapped in after the check is not followed)
    return readBeneath(sb.calls.ctx, path, MAX_SOURCE_MAP);
  } catch {
    return undefined;
  }
}
