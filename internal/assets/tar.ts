// A deterministic tar (ustar) writer for image layers: every entry's owner,
// mode and time are given, never read from the build machine, so the same
// inputs make the same bytes (and the same layer digest).

export interface TarEntry {
  /** Path inside the archive, without a leading slash; directories end without one too. */
  path: string;
  type: "file" | "dir" | "symlink";
  mode: number;
  uid?: number;
  gid?: number;
  /** file contents */
  data?: Uint8Array;
  /** symlink target */
  target?: string;
}

const BLOCK = 512;
const enc = new TextEncoder();

function field(buf: Uint8Array, offset: number, length: number, value: string): void {
  const bytes = enc.encode(value);
  if (bytes.length > length) throw new Error(`tar: '${value}' does not fit in ${length} bytes`);
  buf.set(bytes, offset);
}

function octal(buf: Uint8Array, offset: number, length: number, n: number): void {
  field(buf, offset, length, n.toString(8).padStart(length - 1, "0") + "\0");
}

/** ustar splits a long path into prefix (155 bytes) and name (100 bytes) at a slash. */
function splitPath(path: string): [string, string] {
  if (enc.encode(path).length <= 100) return ["", path];
  for (let i = path.indexOf("/"); i !== -1; i = path.indexOf("/", i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (enc.encode(prefix).length <= 155 && enc.encode(name).length <= 100) return [prefix, name];
  }
  throw new Error(`tar: path too long for ustar: ${path}`);
}

function header(e: TarEntry): Uint8Array {
  const h = new Uint8Array(BLOCK);
  const [prefix, name] = splitPath(e.type === "dir" ? `${e.path}/` : e.path);
  field(h, 0, 100, name);
  octal(h, 100, 8, e.mode);
  octal(h, 108, 8, e.uid ?? 0);
  octal(h, 116, 8, e.gid ?? 0);
  octal(h, 124, 12, e.type === "file" ? e.data!.length : 0);
  octal(h, 136, 12, 0); // mtime: the epoch, for reproducible layers
  field(h, 148, 8, "        "); // checksum computed over spaces
  field(h, 156, 1, e.type === "file" ? "0" : e.type === "dir" ? "5" : "2");
  if (e.type === "symlink") field(h, 157, 100, e.target!);
  field(h, 257, 6, "ustar\0");
  field(h, 263, 2, "00");
  field(h, 345, 155, prefix);
  let sum = 0;
  for (const b of h) sum += b;
  field(h, 148, 8, sum.toString(8).padStart(6, "0") + "\0 ");
  return h;
}

/** The archive: entries in the order given, then the two zero blocks that end it. */
export function tar(entries: TarEntry[]): Uint8Array<ArrayBuffer> {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    parts.push(header(e));
    if (e.type === "file") {
      parts.push(e.data!);
      const pad = (BLOCK - (e.data!.length % BLOCK)) % BLOCK;
      if (pad) parts.push(new Uint8Array(pad));
    }
  }
  parts.push(new Uint8Array(BLOCK * 2));
  return new Uint8Array(Bun.concatArrayBuffers(parts));
}
