// A side module's references to functions it imports and also defines itself:
// C++ inline functions (std::string's append, reserve, ...) that the toolchain
// leaves as imports, which dynamic linking can only serve through the host
// (the module does not exist yet when its imports are given). Each call would
// leave the guest for the host and come back, a few µs; `new URL()` makes
// dozens, and each link would make a host function for each import.
// callOwnDefinitions() points every reference (calls, ref.func, the element
// segments, globals, exports, start) at the module's own definition and drops those imports.

import { concat, importDesc, Reader, readSections, SectionId, skipLeb, uleb, writeModule } from "./wasm.ts";

/** The module with every import it also exports as its own function (of the same type) replaced by that function; unchanged when there is none, or when it uses instructions or segments this does not know. */
export function callOwnDefinitions(wasm: Uint8Array): Uint8Array {
  const sections = readSections(wasm);
  const body = (id: number) => sections.find((s) => s.id === id)?.body;
  const types = readTypes(body(SectionId.type));
  const importTypes = new Map<string, { index: number; type: number }>();
  let importedFuncs = 0;
  const imports = body(SectionId.import);
  if (imports) {
    const r = new Reader(imports);
    for (let n = r.u32(); n > 0; n--) {
      const module = r.name();
      const name = r.name();
      const kind = r.byte();
      if (kind > 3) return wasm;
      const type = importDesc(r, kind);
      if (type === undefined) continue;
      if (module === "env") importTypes.set(name, { index: importedFuncs, type });
      importedFuncs++;
    }
  }
  const funcTypes: number[] = [];
  const funcs = body(SectionId.function);
  if (funcs) {
    const r = new Reader(funcs);
    for (let n = r.u32(); n > 0; n--) funcTypes.push(r.u32());
  }
  // import index -> the index of the module's own function of that name and type
  const redirect = new Map<number, number>();
  const exports = body(SectionId.export);
  if (exports) {
    const r = new Reader(exports);
    for (let n = r.u32(); n > 0; n--) {
      const name = r.name();
      const kind = r.byte();
      const index = r.u32();
      const imp = importTypes.get(name);
      if (kind !== 0 || !imp || index < importedFuncs) continue;
      // (a type not read is no match, not even for another such)
      const type = types[imp.type];
      if (type !== undefined && type === types[funcTypes[index - importedFuncs]!]) redirect.set(imp.index, index);
    }
  }
  if (redirect.size === 0) return wasm;
  // old function index -> new: a dropped import becomes its definition; the rest move down past the dropped ones
  const dropped = [...redirect.keys()].sort((a, b) => a - b);
  const before = (i: number) => dropped.filter((d) => d < i).length;
  const shift = Array.from({ length: importedFuncs }, (_, i) => before(i));
  const index = (i: number): number => {
    const to = redirect.get(i) ?? i;
    return to - (to >= importedFuncs ? dropped.length : shift[to]!);
  };
  try {
    return writeModule(
      sections.map((sec) => {
        const rewrite = REWRITERS[sec.id];
        return rewrite ? { id: sec.id, body: rewrite(sec.body, index, new Set(dropped)) } : sec;
      }),
    );
  } catch (err) {
    if (err instanceof Unknown) return wasm;
    throw err;
  }
}

type Rewriter = (body: Uint8Array, index: (i: number) => number, dropped: Set<number>) => Uint8Array;

const REWRITERS: Record<number, Rewriter> = {
  [SectionId.import]: (body, _index, dropped) => {
    const r = new Reader(body);
    const kept: Uint8Array[] = [];
    let func = 0;
    const n = r.u32();
    for (let i = 0; i < n; i++) {
      const start = r.pos;
      r.name(); // module
      r.name();
      const drop = importDesc(r, r.byte()) !== undefined && dropped.has(func++);
      if (!drop) kept.push(body.subarray(start, r.pos));
    }
    return concat([new Uint8Array(uleb(kept.length)), ...kept]);
  },
  [SectionId.export]: (body, index) => {
    const r = new Reader(body);
    const out: number[] = [];
    const n = r.u32();
    out.push(...uleb(n));
    for (let i = 0; i < n; i++) {
      const start = r.pos;
      r.name();
      const kind = r.byte();
      for (let b = start; b < r.pos; b++) out.push(body[b]!);
      const item = r.u32();
      out.push(...uleb(kind === 0 ? index(item) : item));
    }
    return new Uint8Array(out);
  },
  [SectionId.global]: (body, index) => {
    const r = new Reader(body);
    const out: number[] = [];
    const n = r.u32();
    out.push(...uleb(n));
    for (let i = 0; i < n; i++) {
      const type = r.byte();
      // (a value type of more than one byte, GC's, is not known here)
      if (!(type >= 0x7b && type <= 0x7f) && type !== 0x70 && type !== 0x6f) throw new Unknown(`global type 0x${type.toString(16)}`);
      out.push(type, r.byte()); // and its mutability
      constExpr(r, index, out);
    }
    return new Uint8Array(out);
  },
  [SectionId.start]: (body, index) => new Uint8Array(uleb(index(new Reader(body).u32()))),
  [SectionId.elem]: (body, index) => {
    const r = new Reader(body);
    const out: number[] = [];
    const copy = (from: number) => {
      for (let b = from; b < r.pos; b++) out.push(body[b]!);
    };
    const n = r.u32();
    out.push(...uleb(n));
    for (let i = 0; i < n; i++) {
      const start = r.pos;
      const flags = r.u32();
      // (segments of expressions, flags 4-7, are not known here)
      if (flags > 3) throw new Unknown(`element segment flags ${flags}`);
      if (flags === 2) r.u32(); // table
      copy(start);
      if (flags === 0 || flags === 2) constExpr(r, index, out);
      const kind = r.pos;
      if (flags !== 0) r.byte(); // elemkind
      copy(kind);
      const count = r.u32();
      out.push(...uleb(count));
      for (let k = 0; k < count; k++) out.push(...uleb(index(r.u32())));
    }
    return new Uint8Array(out);
  },
  [SectionId.code]: (body, index) => rewriteCode(body, index),
};

/** Copy a constant expression up to and including its `end` to `out`, the function of each `ref.func` mapped. */
function constExpr(r: Reader, index: (i: number) => number, out: number[]): void {
  for (let op = r.byte(); ; op = r.byte()) {
    out.push(op);
    if (op === 0x0b) return;
    const from = r.pos;
    if (op === 0xd2) out.push(...uleb(index(r.u32())));
    else {
      immediates(r, op);
      for (let b = from; b < r.pos; b++) out.push(r.bytes[b]!);
    }
  }
}

/** Each function type's encoding, by index (equal strings: the same type). */
function readTypes(section: Uint8Array | undefined): string[] {
  if (!section) return [];
  const r = new Reader(section);
  const out: string[] = [];
  for (let n = r.u32(); n > 0; n--) {
    const start = r.pos;
    if (r.byte() !== 0x60) return out; // (not a plain function type: nothing after it is redirected)
    for (let k = 0; k < 2; k++) {
      const count = r.u32(); // params, then results: one byte each (plain value types)
      r.pos += count;
    }
    out.push(String(section.subarray(start, r.pos)));
  }
  return out;
}

class Unknown extends Error {}

function memarg(r: Reader): void {
  const align = r.u32();
  if (align & 0x40) r.u32(); // memory index
  skipLeb(r); // offset
}

/** The code section with the function index of each `call` and `ref.func` mapped; every instruction is walked to find them. */
function rewriteCode(section: Uint8Array, index: (i: number) => number): Uint8Array {
  const r = new Reader(section);
  const out: number[] = [];
  const n = r.u32();
  out.push(...uleb(n));
  for (let f = 0; f < n; f++) {
    const size = r.u32();
    const end = r.pos + size;
    const fn: number[] = [];
    let from = r.pos; // bytes from here up to the current instruction are copied as they are
    for (let groups = r.u32(); groups > 0; groups--) (r.u32(), r.byte());
    while (r.pos < end) {
      const op = r.byte();
      if (op === 0x10 || op === 0xd2) {
        const at = r.pos;
        const target = index(r.u32());
        for (let i = from; i < at; i++) fn.push(section[i]!);
        fn.push(...uleb(target));
        from = r.pos;
        continue;
      }
      immediates(r, op);
    }
    if (r.pos !== end) throw new Unknown("a function body ends inside an instruction");
    for (let i = from; i < end; i++) fn.push(section[i]!);
    out.push(...uleb(fn.length));
    for (const b of fn) out.push(b);
  }
  return new Uint8Array(out);
}

/** Skip the immediates of opcode `op` (read already); Unknown for what this does not know. */
function immediates(r: Reader, op: number): void {
  if (op === 0x02 || op === 0x03 || op === 0x04) {
    // block type: empty, a value type, or a type index (a positive s33)
    const b = r.bytes[r.pos]!;
    if (b === 0x40 || (b >= 0x7b && b <= 0x7f) || b === 0x70 || b === 0x6f) r.pos++;
    else if (b < 0x40 || b & 0x80) skipLeb(r);
    else throw new Unknown(`block type 0x${b.toString(16)}`);
    return;
  }
  if (op === 0x0c || op === 0x0d || (op >= 0x20 && op <= 0x26) || op === 0xd2) return void r.u32(); // br, br_if, locals, globals, table.get/set, ref.func
  if (op === 0x0e) {
    for (let n = r.u32(); n >= 0; n--) r.u32(); // the labels and the default
    return;
  }
  if (op === 0x11) return void (r.u32(), r.u32()); // call_indirect: type, table
  if (op === 0x1c) {
    for (let n = r.u32(); n > 0; n--) r.byte(); // select with types
    return;
  }
  if (op >= 0x28 && op <= 0x3e) return memarg(r);
  if (op === 0x3f || op === 0x40) return void r.u32(); // memory.size, memory.grow
  if (op === 0x41 || op === 0x42) return skipLeb(r); // i32.const, i64.const
  if (op === 0x43) return void (r.pos += 4);
  if (op === 0x44) return void (r.pos += 8);
  if (op === 0xd0) return void r.byte(); // ref.null
  if (op === 0xfc) {
    const sub = r.u32();
    if (sub <= 7) return; // saturating truncations
    if (sub === 8 || sub === 10 || sub === 12 || sub === 14) return void (r.u32(), r.u32()); // memory.init, memory.copy, table.init, table.copy
    if (sub <= 17) return void r.u32(); // data.drop, memory.fill, elem.drop, table.grow/size/fill
    throw new Unknown(`0xfc ${sub}`);
  }
  if (op === 0xfd) {
    const sub = r.u32();
    if (sub <= 11 || sub === 92 || sub === 93) return memarg(r); // loads and stores
    if (sub === 12 || sub === 13) return void (r.pos += 16); // v128.const, i8x16.shuffle
    if (sub >= 21 && sub <= 34) return void r.byte(); // lane extract and replace
    if (sub >= 84 && sub <= 91) return void (memarg(r), r.byte()); // lane loads and stores
    return;
  }
  if (op === 0xfe) {
    const sub = r.u32();
    if (sub === 3) return void r.byte(); // atomic.fence
    return memarg(r);
  }
  // the rest of the MVP's instructions have none; exceptions, tail calls, GC and others are not known here
  if (op <= 0x01 || op === 0x05 || op === 0x0b || op === 0x0f || op === 0x1a || op === 0x1b || op === 0xd1 || (op >= 0x45 && op <= 0xc4)) return;
  throw new Unknown(`opcode 0x${op.toString(16)}`);
}
