// The WebAssembly encoder of the freezer: a module described as imports,
// globals, functions (each a list of typed instructions), an element segment,
// data and the dylink.0 section, turned into bytes in the canonical section
// order. Section sizes and opcodes live here and nowhere else in the freezer
// (LEB128 is engine/wasm.ts's, shared with the linker); the compiler
// (analyze.ts) only builds instruction lists, and names functions and globals
// by name: indices are this file's business.

import { SectionId, sleb, uleb } from "../engine/wasm.ts";

export type ValType = "i32" | "i64" | "f64";

/** Instructions without immediates, by their text-format name. */
const SIMPLE = {
  unreachable: 0x00,
  else: 0x05,
  end: 0x0b,
  return: 0x0f,
  drop: 0x1a,
  select: 0x1b,
  "i32.eqz": 0x45,
  "i32.eq": 0x46,
  "i32.ne": 0x47,
  "i32.lt_s": 0x48,
  "i32.gt_s": 0x4a,
  "i32.gt_u": 0x4b,
  "i32.le_s": 0x4c,
  "i32.lt_u": 0x49,
  "i32.ge_s": 0x4e,
  "i32.ge_u": 0x4f,
  "i64.eqz": 0x50,
  "i64.eq": 0x51,
  "i64.ne": 0x52,
  "i64.le_u": 0x58,
  "f64.eq": 0x61,
  "f64.ne": 0x62,
  "f64.lt": 0x63,
  "f64.gt": 0x64,
  "f64.le": 0x65,
  "f64.ge": 0x66,
  "i32.add": 0x6a,
  "i32.sub": 0x6b,
  "i32.mul": 0x6c,
  "i32.div_s": 0x6d,
  "i32.rem_s": 0x6f,
  "i32.rem_u": 0x70,
  "i32.and": 0x71,
  "i32.or": 0x72,
  "i32.xor": 0x73,
  "i32.shl": 0x74,
  "i32.shr_s": 0x75,
  "i32.shr_u": 0x76,
  "f64.abs": 0x99,
  "f64.neg": 0x9a,
  "f64.ceil": 0x9b,
  "f64.floor": 0x9c,
  "f64.trunc": 0x9d,
  "f64.nearest": 0x9e,
  "f64.sqrt": 0x9f,
  "f64.add": 0xa0,
  "f64.sub": 0xa1,
  "f64.mul": 0xa2,
  "f64.div": 0xa3,
  "f64.min": 0xa4,
  "f64.max": 0xa5,
  "f64.copysign": 0xa6,
  "i32.wrap_i64": 0xa7,
  "i32.trunc_f64_s": 0xaa,
  "i32.trunc_f64_u": 0xab,
  "i64.extend_i32_u": 0xad,
  "i64.trunc_f64_s": 0xb0,
  "f64.convert_i32_s": 0xb7,
  "f64.convert_i32_u": 0xb8,
  "f32.demote_f64": 0xb6,
  "f64.promote_f32": 0xbb,
  "i32.reinterpret_f32": 0xbc,
  "i64.reinterpret_f64": 0xbd,
  "f32.reinterpret_i32": 0xbe,
  "f64.reinterpret_i64": 0xbf,
  "i64.lt_u": 0x54,
  "i64.add": 0x7c,
  "i64.sub": 0x7d,
  "i64.extend_i32_s": 0xac,
  "i64.or": 0x84,
  "i64.shl": 0x86,
  "i64.shr_u": 0x88,
} as const;
export type SimpleOp = keyof typeof SIMPLE;

/** Loads and stores: opcode and natural alignment (log2 bytes). */
const MEMORY = {
  "i32.load": [0x28, 2],
  "i64.load": [0x29, 3],
  "f32.load": [0x2a, 2],
  "f64.load": [0x2b, 3],
  "i32.load8_s": [0x2c, 0],
  "i32.load8_u": [0x2d, 0],
  "i32.load16_s": [0x2e, 1],
  "i32.load16_u": [0x2f, 1],
  "i32.store": [0x36, 2],
  "i64.store": [0x37, 3],
  "f32.store": [0x38, 2],
  "f64.store": [0x39, 3],
  "i32.store8": [0x3a, 0],
  "i32.store16": [0x3b, 1],
} as const;

export type Instr =
  | { op: SimpleOp }
  | { op: "i32.const" | "i64.const"; value: number }
  | { op: "f64.const"; value: number }
  | { op: "local.get" | "local.set" | "local.tee"; local: number }
  | { op: "global.get" | "global.set"; global: string }
  | { op: "call"; func: string }
  | { op: "block" | "loop" | "if"; result?: ValType }
  | { op: "br" | "br_if"; depth: number }
  | { op: "br_table"; depths: number[]; default: number }
  | { op: keyof typeof MEMORY; offset: number };

export interface FuncType {
  params: ValType[];
  results: ValType[];
}

export interface Func extends FuncType {
  name: string;
  /** Locals beyond the parameters. */
  locals: ValType[];
  body: Instr[];
}

/** What dylink.0 tells the loader to reserve (sizes in bytes and table slots, alignments as powers of two). */
export interface DylinkMemInfo {
  memorySize: number;
  memoryAlign: number;
  tableSize: number;
  tableAlign: number;
}

const VALTYPE: Record<ValType, number> = { i32: 0x7f, i64: 0x7e, f64: 0x7c };

/** A growing byte buffer with the encodings the format uses. */
class Bytes {
  private buf = new Uint8Array(256);
  length = 0;

  byte(b: number): this {
    if (this.length === this.buf.length) {
      const bigger = new Uint8Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.length++] = b;
    return this;
  }

  bytes(bs: ArrayLike<number>): this {
    for (let i = 0; i < bs.length; i++) this.byte(bs[i]!);
    return this;
  }

  /** Unsigned LEB128 (engine/wasm.ts's, as the linker reads it). */
  u32(n: number): this {
    return this.bytes(uleb(n >>> 0));
  }

  /** Signed LEB128 of a 32-bit integer. */
  s32(n: number): this {
    return this.bytes(sleb(n | 0));
  }

  f64(v: number): this {
    const d = new DataView(new ArrayBuffer(8));
    d.setFloat64(0, v, true);
    return this.bytes(new Uint8Array(d.buffer));
  }

  name(s: string): this {
    const utf8 = new TextEncoder().encode(s);
    return this.u32(utf8.length).bytes(utf8);
  }

  /** A length-prefixed vector of what `each` writes. */
  vec<T>(items: readonly T[], each: (b: this, item: T) => void): this {
    this.u32(items.length);
    for (const item of items) each(this, item);
    return this;
  }

  /** A nested part prefixed by its size in bytes (sections, function bodies, subsections). */
  sized(write: (b: Bytes) => void): this {
    const inner = new Bytes();
    write(inner);
    return this.u32(inner.length).bytes(inner.view());
  }

  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

interface Import {
  module: string;
  name: string;
  desc: { kind: "func"; type: FuncType } | { kind: "global"; type: ValType; mutable: boolean } | { kind: "memory" } | { kind: "table" };
}

/** A side module under construction: add parts in any order, then encode(). */
export class ModuleBuilder {
  private imports: Import[] = [];
  private funcs: Func[] = [];
  private globals: { name: string; type: ValType; mutable: boolean; init: number }[] = [];
  private exports: { name: string; func: string }[] = [];
  private elems: string[] = [];
  private data = new Bytes();
  private dylink: DylinkMemInfo = { memorySize: 0, memoryAlign: 0, tableSize: 0, tableAlign: 0 };

  importFunc(module: string, name: string, params: ValType[], results: ValType[]): void {
    this.imports.push({ module, name, desc: { kind: "func", type: { params, results } } });
  }

  importGlobal(module: string, name: string, type: ValType, mutable = false): void {
    this.imports.push({ module, name, desc: { kind: "global", type, mutable } });
  }

  importMemory(module: string, name: string): void {
    this.imports.push({ module, name, desc: { kind: "memory" } });
  }

  importTable(module: string, name: string): void {
    this.imports.push({ module, name, desc: { kind: "table" } });
  }

  global(name: string, type: ValType, mutable: boolean, init: number): void {
    this.globals.push({ name, type, mutable, init });
  }

  func(f: Func): void {
    this.funcs.push(f);
  }

  export(name: string, func: string): void {
    this.exports.push({ name, func });
  }

  /** Puts `func` in the table at __table_base + the returned slot. */
  tableSlot(func: string): number {
    this.elems.push(func);
    this.dylink.tableSize = this.elems.length;
    return this.elems.length - 1;
  }

  /** Puts bytes at __memory_base + the returned offset. */
  staticData(bytes: ArrayLike<number>, align = 1): number {
    while (this.data.length % align) this.data.byte(0);
    const at = this.data.length;
    this.data.bytes(bytes);
    this.dylink.memorySize = this.data.length;
    this.dylink.memoryAlign = Math.max(this.dylink.memoryAlign, Math.log2(align));
    return at;
  }

  /** A NUL-terminated UTF-8 string in static data (for the C API's `const char *`). */
  cString(s: string): number {
    return this.staticData([...new TextEncoder().encode(s), 0]);
  }

  encode(): Uint8Array {
    const types: FuncType[] = [];
    const typeIndex = (t: FuncType) => {
      const key = (x: FuncType) => `${x.params.join(",")}>${x.results.join(",")}`;
      let i = types.findIndex((x) => key(x) === key(t));
      if (i < 0) i = types.push(t) - 1;
      return i;
    };
    const funcIndex = new Map<string, number>();
    const globalIndex = new Map<string, number>();
    for (const imp of this.imports) {
      if (imp.desc.kind === "func") funcIndex.set(imp.name, funcIndex.size);
      if (imp.desc.kind === "global") globalIndex.set(imp.name, globalIndex.size);
    }
    for (const f of this.funcs) funcIndex.set(f.name, funcIndex.size);
    for (const g of this.globals) globalIndex.set(g.name, globalIndex.size);
    const fn = (name: string) => {
      const i = funcIndex.get(name);
      if (i === undefined) throw new Error(`freezer: no function ${name}`);
      return i;
    };
    const gl = (name: string) => {
      const i = globalIndex.get(name);
      if (i === undefined) throw new Error(`freezer: no global ${name}`);
      return i;
    };
    const funcTypes = this.funcs.map((f) => typeIndex(f));
    const importTypes = this.imports.map((i) => (i.desc.kind === "func" ? typeIndex(i.desc.type) : -1));

    const out = new Bytes().bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    const section = (id: number, write: (b: Bytes) => void) => out.byte(id).sized(write);
    const d = this.dylink;
    // dylink.0 comes first, as the loader expects
    section(SectionId.custom, (b) => b.name("dylink.0").byte(1).sized((s) => s.u32(d.memorySize).u32(d.memoryAlign).u32(d.tableSize).u32(d.tableAlign)));
    section(SectionId.type, (b) => b.vec(types, (b, t) => b.byte(0x60).vec(t.params, (b, p) => b.byte(VALTYPE[p])).vec(t.results, (b, r) => b.byte(VALTYPE[r]))));
    section(SectionId.import, (b) =>
      b.vec(this.imports, (b, imp) => {
        b.name(imp.module).name(imp.name);
        const desc = imp.desc;
        if (desc.kind === "func") b.byte(0x00).u32(importTypes[this.imports.indexOf(imp)]!);
        else if (desc.kind === "table") b.byte(0x01).byte(0x70).byte(0x00).u32(0); // funcref, at least 0 slots
        else if (desc.kind === "memory") b.byte(0x02).byte(0x00).u32(0); // at least 0 pages
        else b.byte(0x03).byte(VALTYPE[desc.type]).byte(desc.mutable ? 1 : 0);
      }),
    );
    section(SectionId.function, (b) => b.vec(funcTypes, (b, t) => b.u32(t)));
    if (this.globals.length) {
      section(SectionId.global, (b) =>
        b.vec(this.globals, (b, g) => {
          b.byte(VALTYPE[g.type]).byte(g.mutable ? 1 : 0);
          if (g.type === "f64") b.byte(0x44).f64(g.init);
          else b.byte(g.type === "i32" ? 0x41 : 0x42).s32(g.init);
          b.byte(0x0b);
        }),
      );
    }
    section(SectionId.export, (b) => b.vec(this.exports, (b, e) => b.name(e.name).byte(0x00).u32(fn(e.func))));
    if (this.elems.length) {
      // one active segment at global.get __table_base
      section(SectionId.elem, (b) => b.u32(1).u32(0).byte(0x23).u32(gl("__table_base")).byte(0x0b).vec(this.elems, (b, f) => b.u32(fn(f))));
    }
    section(SectionId.code, (b) =>
      b.vec(this.funcs, (b, f) =>
        b.sized((body) => {
          const runs: [ValType, number][] = [];
          for (const t of f.locals) {
            const last = runs[runs.length - 1];
            if (last && last[0] === t) last[1]++;
            else runs.push([t, 1]);
          }
          body.vec(runs, (b, [t, n]) => b.u32(n).byte(VALTYPE[t]));
          for (const ins of f.body) encodeInstr(body, ins, fn, gl);
          body.byte(0x0b);
        }),
      ),
    );
    if (this.data.length) {
      section(SectionId.data, (b) => b.u32(1).u32(0).byte(0x23).u32(gl("__memory_base")).byte(0x0b).sized((s) => s.bytes(this.data.view())));
    }
    return out.view().slice();
  }

  /** The functions as text, one instruction a line, for --explain and review. */
  listing(only?: (name: string) => boolean): string {
    return this.funcs
      .filter((f) => !only || only(f.name))
      .map((f) => `func ${f.name} (${f.params.join(" ")}) -> ${f.results.join(" ") || "nothing"}${f.locals.length ? `, locals ${f.locals.join(" ")}` : ""}\n${listBody(f.body)}`)
      .join("");
  }
}

function encodeInstr(b: Bytes, ins: Instr, fn: (name: string) => number, gl: (name: string) => number): void {
  switch (ins.op) {
    case "i32.const":
      b.byte(0x41).s32(ins.value);
      return;
    case "i64.const":
      b.byte(0x42).s32(ins.value); // (small values only: the same signed LEB128)
      return;
    case "f64.const":
      b.byte(0x44).f64(ins.value);
      return;
    case "local.get":
    case "local.set":
    case "local.tee":
      b.byte({ "local.get": 0x20, "local.set": 0x21, "local.tee": 0x22 }[ins.op]).u32(ins.local);
      return;
    case "global.get":
    case "global.set":
      b.byte(ins.op === "global.get" ? 0x23 : 0x24).u32(gl(ins.global));
      return;
    case "call":
      b.byte(0x10).u32(fn(ins.func));
      return;
    case "block":
    case "loop":
    case "if":
      b.byte({ block: 0x02, loop: 0x03, if: 0x04 }[ins.op]).byte(ins.result ? VALTYPE[ins.result] : 0x40);
      return;
    case "br":
    case "br_if":
      b.byte(ins.op === "br" ? 0x0c : 0x0d).u32(ins.depth);
      return;
    case "br_table":
      b.byte(0x0e).u32(ins.depths.length);
      for (const d of ins.depths) b.u32(d);
      b.u32(ins.default);
      return;
    case "i32.load":
    case "i64.load":
    case "f32.load":
    case "f64.load":
    case "i32.load8_s":
    case "i32.load8_u":
    case "i32.load16_s":
    case "i32.load16_u":
    case "i32.store":
    case "i64.store":
    case "f32.store":
    case "f64.store":
    case "i32.store8":
    case "i32.store16": {
      const [code, align] = MEMORY[ins.op];
      b.byte(code).u32(align).u32(ins.offset);
      return;
    }
    default:
      b.byte(SIMPLE[ins.op]);
  }
}

function listBody(body: Instr[]): string {
  let depth = 1;
  let out = "";
  for (const ins of body) {
    if (ins.op === "end" || ins.op === "else") depth--;
    const { op, ...imm } = ins as Instr & Record<string, unknown>;
    const args = Object.values(imm).map((v) => (typeof v === "number" && Object.is(v, -0) ? "-0" : String(v)));
    out += `${"  ".repeat(depth)}${[op, ...args].join(" ")}\n`;
    if (ins.op === "block" || ins.op === "loop" || ins.op === "if" || ins.op === "else") depth++;
  }
  return out;
}
