import { dirname, resolve } from "node:path";
import type { TraceMap } from "@jridgewell/trace-mapping";

// Source maps (v3, index maps included) read back through
// @jridgewell/trace-mapping: a generated line and column to the original file,
// line and column, and stack traces rewritten with them. The library is loaded
// on the error path only (a run that throws nothing never decodes a map).

export interface RawSourceMap {
  version: number;
  sources: string[];
  sourcesContent?: (string | null)[];
  mappings: string;
}

/** A map that decodes to nothing: frames stay as they are. */
const EMPTY: RawSourceMap = { version: 3, sources: [], mappings: "" };

/** The library, loaded on first use (the error path). */
const traceMapping = () => require("@jridgewell/trace-mapping") as typeof import("@jridgewell/trace-mapping");

export class SourceMap {
  private traced: TraceMap | undefined;
  private map: RawSourceMap | undefined;

  /** The map's `sources` are resolved by the caller (absolute paths); a function reads the map only when it is needed. */
  constructor(private readonly raw: RawSourceMap | (() => RawSourceMap)) {}

  private get data(): RawSourceMap {
    return (this.map ??= typeof this.raw === "function" ? this.raw() : this.raw);
  }

  private get trace(): TraceMap {
    if (this.traced) return this.traced;
    const { FlattenMap, TraceMap } = traceMapping();
    try {
      // sources are absolute already: no sourceRoot may be applied again
      this.traced = FlattenMap({ ...this.data, sourceRoot: undefined } as never);
    } catch {
      this.traced = new TraceMap(EMPTY as never); // a map that does not decode maps nothing
    }
    return this.traced;
  }

  /** The original position of generated `line` and `column` (1-based both, as stack traces print them). */
  lookup(line: number, column: number): { file: string; line: number; column: number } | undefined {
    const { originalPositionFor, GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND } = traceMapping();
    if (line < 1 || column < 1) return undefined;
    // the last mapping at or before the column; else the line's first after it
    let hit = originalPositionFor(this.trace, { line, column: column - 1, bias: GREATEST_LOWER_BOUND });
    if (hit.source === null) hit = originalPositionFor(this.trace, { line, column: column - 1, bias: LEAST_UPPER_BOUND });
    if (hit.source === null || hit.line === null || hit.column === null) return undefined;
    return { file: hit.source, line: hit.line, column: hit.column + 1 };
  }

  /** The original text of `file`, when the map carries it. */
  content(file: string): string | undefined {
    const { sourceContentFor } = traceMapping();
    try {
      return sourceContentFor(this.trace, file) ?? undefined;
    } catch {
      return undefined; // not a source of this map
    }
  }
}

const FRAME = /(\(|at )([^()\s][^()]*?):(\d+):(\d+)(?=\)|\s|$)/g;

/** `text` with every stack frame `file:line:col` of a mapped file rewritten to its original position. */
export function remapStack(text: string, maps: ReadonlyMap<string, SourceMap>): string {
  if (maps.size === 0) return text;
  // line by line, leaving long lines alone (the pattern backtracks on a crafted one; no real frame is long), and only
  // the first 500 lines: a stack is never longer, a crafted message may be
  return text
    .split("\n")
    .map((l, i) =>
      l.length > 600 || i >= 500
        ? l
        : l.replace(FRAME, (whole, lead: string, file: string, line: string, col: string) => {
            const hit = maps.get(file)?.lookup(Number(line), Number(col));
            return hit?.file ? `${lead}${hit.file}:${hit.line}:${hit.column}` : whole;
          }),
    )
    .join("\n");
}

type AnyMap = RawSourceMap & { sourceRoot?: string; sections?: { offset: unknown; map: AnyMap }[] };

/** A map (an index map's sections too) with its sources as absolute paths: `sourceRoot` applied, relative to `base`. */
function absolute(m: AnyMap, base: string): AnyMap {
  if (Array.isArray(m.sections)) return { ...m, sections: m.sections.map((s) => ({ ...s, map: absolute(s.map, base) })) };
  return { ...m, sourceRoot: undefined, sources: m.sources.map((s) => resolve(base, m.sourceRoot ?? "", s ?? "")) };
}

const LINK = /\/\/[#@]\s*sourceMappingURL=(\S+)\s*$/;

/**
 * The source map a JavaScript file names in its last `//# sourceMappingURL=`
 * (a file beside it, or a data: URL), read only when an error needs it and
 * only where `mayRead` allows; undefined when it names none.
 */
export function linkedSourceMap(file: string, source: string, mayRead: (path: string) => string | undefined): SourceMap | undefined {
  const url = LINK.exec(source.slice(-4096))?.[1];
  if (!url) return undefined;
  let text: () => string | undefined;
  let base = dirname(file);
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return undefined; // not a URL: no map
    }
  };
  if (url.startsWith("data:")) {
    const comma = url.indexOf(",");
    const body = url.slice(comma + 1);
    text = () => (url.slice(0, comma).endsWith(";base64") ? Buffer.from(body, "base64").toString("utf8") : decode(body));
  } else {
    const name = decode(url.split(/[?#]/)[0]!);
    if (name === undefined) return undefined;
    const path = resolve(base, name);
    base = dirname(path);
    text = () => mayRead(path);
  }
  return new SourceMap(() => {
    try {
      return absolute(JSON.parse(text() ?? ""), base);
    } catch {
      return EMPTY; // unreadable or not a map: frames stay as they are
    }
  });
}
