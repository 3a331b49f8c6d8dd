// Just enough of the WebAssembly binary format to read a module's sections
// and write a module back with some sections replaced. It lives with the
// engine, the lowest layer that parses wasm (dylink.ts); build/ uses it too.

export const SectionId = {
  custom: 0,
  type: 1,
  import: 2,
  function: 3,
  table: 4,
  memory: 5,
  global: 6,
  export: 7,
  start: 8,
  elem: 9,
  code: 10,
  data: 11,
  dataCount: 12,
} as const;

export interface Section {
  id: number;
  /** The section's contents (without id and size). */
  body: Uint8Array;
}

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

export class Reader {
  constructor(
    readonly bytes: Uint8Array,
    public pos = 0,
  ) {}

  byte(): number {
    if (this.pos >= this.bytes.length) throw new Error("unexpected end of wasm data");
    return this.bytes[this.pos++]!;
  }

  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 35) throw new Error("malformed LEB128 in wasm data");
    }
  }

  s32(): number {
    let result = 0;
    let shift = 0;
    let b: number;
    do {
      b = this.byte();
      result |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    if (shift < 32 && b & 0x40) result |= ~0 << shift;
    return result;
  }

  name(): string {
    const len = this.u32();
    const s = new TextDecoder().decode(this.bytes.subarray(this.pos, this.pos + len));
    this.pos += len;
    return s;
  }

  done(): boolean {
    return this.pos >= this.bytes.length;
  }
}

/** Skip a LEB128 number of any length (an i32.const's or i64.const's immediate, a memarg's offset). */
export function skipLeb(r: Reader): void {
  while (r.byte() & 0x80);
}

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** Read an import's description of `kind` (0-3: a function, table, memory or global): a function's type index, else undefined. */
export function importDesc(r: Reader, kind: number): number | undefined {
  if (kind === 0) return r.u32();
  if (kind === 1) r.byte(); // the table's element type, then its limits
  if (kind === 1 || kind === 2) limits(r);
  else (r.byte(), r.byte()); // a global's type and mutability
  return undefined;
}

/** A module's imports, in order: module, name and kind (0-3: function, table, memory, global). */
export function readImports(sections: Section[]): { module: string; name: string; kind: number }[] {
  const section = sections.find((s) => s.id === SectionId.import);
  if (!section) return [];
  const r = new Reader(section.body);
  const out: { module: string; name: string; kind: number }[] = [];
  for (let n = r.u32(); n > 0; n--) {
    const module = r.name();
    const name = r.name();
    const kind = r.byte();
    if (kind > 3) throw new Error(`an import of kind ${kind}: not one this reads`);
    importDesc(r, kind);
    out.push({ module, name, kind });
  }
  return out;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Bun.concatArrayBuffers(parts));
}

function limits(r: Reader): void {
  const flags = r.byte();
  r.u32();
  if (flags & 1) r.u32();
}

export function readSections(wasm: Uint8Array): Section[] {
  for (let i = 0; i < HEADER.length; i++) {
    if (wasm[i] !== HEADER[i]) throw new Error("not a WebAssembly module (bad magic or version)");
  }
  const r = new Reader(wasm, HEADER.length);
  const sections: Section[] = [];
  while (!r.done()) {
    const id = r.byte();
    const size = r.u32();
    sections.push({ id, body: wasm.subarray(r.pos, r.pos + size) });
    r.pos += size;
  }
  return sections;
}

export function writeModule(sections: Section[]): Uint8Array {
  const parts: Uint8Array[] = [new Uint8Array(HEADER)];
  for (const s of sections) {
    parts.push(new Uint8Array([s.id, ...uleb(s.body.length)]), s.body);
  }
  return concat(parts);
}

/** Custom sections named `name`, as quickjs-wasi and dylink.0 use them. */
export function customSections(wasm: Uint8Array, name: string): Uint8Array[] {
  return readSections(wasm)
    .filter((s) => s.id === SectionId.custom)
    .flatMap((s) => {
      const r = new Reader(s.body);
      return r.name() === name ? [s.body.subarray(r.pos)] : [];
    });
}
