import { dirname, resolve } from "node:path";

// Source maps (v3) read back: a generated line and column to the original
// file, line and column, and stack traces rewritten with them. Only what
// error reports need: no names, no index maps.

export interface RawSourceMap {
  version: number;
  sources: string[];
  sourcesContent?: (string | null)[];
  mappings: string;
}

/** One mapping: generated column, source index, original line and column (all 0-based). */
type Segment = [number, number, number, number];

const B64 = new Map([..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"].map((c, i) => [c, i]));

function decodeMappings(mappings: string): Segment[][] {
  const lines: Segment[][] = [];
  let src = 0;
  let line = 0;
  let col = 0;
  for (const text of mappings.split(";")) {
    const segs: Segment[] = [];
    let gen = 0;
    for (const seg of text.split(",")) {
      if (!seg) continue;
      const v: number[] = [];
      let value = 0;
      let shift = 0;
      for (const ch of seg) {
        const d = B64.get(ch);
        if (d === undefined) throw new Error(`bad source map character '${ch}'`);
        value += (d & 31) << shift;
        if (d & 32) shift += 5;
        else {
          v.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = shift = 0;
        }
      }
      if (v.length === 0 || value !== 0 || shift !== 0) break; // truncated: the rest of the line is unusable
      gen += v[0]!;
      if (v.length < 4) continue; // a segment without a source maps to nothing
      src += v[1]!;
      line += v[2]!;
      col += v[3]!;
      segs.push([gen, src, line, col]);
    }
    lines.push(segs);
  }
  return lines;
}

export class SourceMap {
  private lines: Segment[][] | undefined;
  private map: RawSourceMap | undefined;

  /** The map's `sources` are resolved by the caller (absolute paths); a function reads the map only when it is needed. */
  constructor(private readonly raw: RawSourceMap | (() => RawSourceMap)) {}

  private get data(): RawSourceMap {
    return (this.map ??= typeof this.raw === "function" ? this.raw() : this.raw);
  }

  /** The original position of generated `line` and `column` (1-based both, as stack traces print them). */
  lookup(line: number, column: number): { file: string; line: number; column: number } | undefined {
    try {
      this.lines ??= decodeMappings(this.data.mappings);
    } catch {
      this.lines = []; // a map that does not decode maps nothing: frames stay as they are
    }
    const segs = this.lines[line - 1];
    if (!segs?.length) return undefined;
    // the last segment starting at or before the column; else the line's first
    let best = segs[0]!;
    for (const s of segs) {
      if (s[0] > column - 1) break;
      best = s;
    }
    return { file: this.data.sources[best[1]]!, line: best[2] + 1, column: best[3] + 1 };
  }

  /** The original text of `file`, when the map carries it. */
  content(file: string): string | undefined {
    const i = this.data.sources.indexOf(file);
    return i >= 0 ? (this.data.sourcesContent?.[i] ?? undefined) : undefined;
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
      const raw = JSON.parse(text() ?? "") as RawSourceMap & { sourceRoot?: string };
      return { ...raw, sources: raw.sources.map((s) => resolve(base, raw.sourceRoot ?? "", s)) };
    } catch {
      return { version: 3, sources: [], mappings: "" }; // unreadable or not a map: frames stay as they are
    }
  });
}
