// Dynamic linking of wasm side modules (the dylink.0 convention) into a
// running QuickJS guest, over the Engine interface so both backends share it.
// A side module shares the guest's memory and function table: it gets a block
// of memory from the guest's malloc (its __memory_base), a range of table
// slots (its __table_base), and its `env` imports resolved to the guest's
// exports. quickjs-wasi's extensions (URL, TextEncoder, ...) and EdgeBox's
// own frozen functions are such modules.

import { concat, customSections, Reader, readImports, readSections, SectionId, skipLeb, sleb, uleb, writeModule, type Section } from "./wasm.ts";
import type { HostFunction, Instance, LinkImport, ModuleImport, PreparedLink, WasmModule } from "./types.ts";

export interface DylinkInfo {
  memorySize: number;
  memoryAlign: number;
  tableSize: number;
  tableAlign: number;
  needed: string[];
}

export function parseDylink(wasm: Uint8Array): DylinkInfo {
  const [section] = customSections(wasm, "dylink.0");
  if (!section) throw new Error("not a wasm side module: no dylink.0 section");
  const r = new Reader(section);
  const info: DylinkInfo = { memorySize: 0, memoryAlign: 0, tableSize: 0, tableAlign: 0, needed: [] };
  while (!r.done()) {
    const type = r.byte();
    const end = r.u32() + r.pos;
    if (type === 1) {
      info.memorySize = r.u32();
      info.memoryAlign = r.u32();
      info.tableSize = r.u32();
      info.tableAlign = r.u32();
    } else if (type === 2) {
      for (let n = r.u32(); n > 0; n--) info.needed.push(r.name());
    }
    r.pos = end;
  }
  return info;
}

/** The names a module exports, read from its bytes. */
function parseExports(wasm: Uint8Array): Set<string> {
  const section = readSections(wasm).find((s) => s.id === SectionId.export);
  const names = new Set<string>();
  if (!section) return names;
  const r = new Reader(section.body);
  for (let n = r.u32(); n > 0; n--) {
    names.add(r.name());
    r.byte();
    r.u32();
  }
  return names;
}

/** What linking needs to know of a side module, read once from its bytes (JSON-friendly, kept in the build info). */
export interface SideModuleInfo {
  dylink: DylinkInfo;
  /** Functions the module imports and also defines itself (served by the module once instantiated). */
  defines: string[];
}

export function sideModuleInfo(wasm: Uint8Array): SideModuleInfo {
  const exports = parseExports(wasm);
  const imports = new Set(readImports(readSections(wasm)).flatMap((i) => (i.module === "env" || i.module === "GOT.func" ? [i.name] : [])));
  return { dylink: parseDylink(wasm), defines: [...imports].filter((n) => exports.has(n)) };
}

export interface SideModule extends SideModuleInfo {
  name: string;
  module: WasmModule;
  /** The function that registers the module with QuickJS: `int init(JSContext*, JSRuntime*)`. */
  initFn: string;
  /** `module` is relinkOnly()'s variant: linking it writes nothing to memory (no save and restore needed). */
  writesNothing?: boolean;
  /** Linked again only when the guest first asks for it (EXT_LOAD), not with the instance (edgebox serve's URL). */
  lazy?: boolean;
  /**
   * Linked at its placement, the module is the same thing every time (no state of its own: it
   * writes only memory and the guest's stack pointer, as the bundled extensions do, checked by
   * tests/serve.test.ts): a recycled instance keeps it linked (NativeInstance.link).
   */
  keep?: boolean;
}

/**
 * A side module that instantiates without touching memory: its data segments
 * emptied and its start function (which zeroes its .bss) removed. Only for
 * linking again after a snapshot restore, where memory already holds its
 * data and state; edgebox serve links this variant for every request.
 * The start function may also relocate the module's own globals (wasm-ld's
 * `__wasm_apply_global_relocs`: `global = __memory_base + C`, the crypto
 * extension's): those globals start relocated instead (their initialisers
 * become the same sum), and the function's body is left empty.
 */
export function relinkOnly(wasm: Uint8Array): Uint8Array {
  const relocated = withoutStart(readSections(wasm));
  const sections = relocated
    .map((s) => {
      if (s.id !== SectionId.data) return s;
      const r = new Reader(s.body);
      const out: number[] = [];
      const n = r.u32();
      out.push(...uleb(n));
      for (let i = 0; i < n; i++) {
        const flags = r.u32();
        out.push(...uleb(flags));
        if (flags === 2) out.push(...uleb(r.u32())); // memory index
        if (flags !== 1) {
          // the offset expression, up to and including its `end`
          const start = r.pos;
          skipConstExpr(r, "a data segment offset");
          out.push(...s.body.subarray(start, r.pos));
        }
        const len = r.u32();
        r.pos += len;
        out.push(0); // no bytes
      }
      return { id: s.id, body: new Uint8Array(out) };
    });
  return writeModule(sections);
}

/** Opcodes a side module's start function may hold (see startRelocations). */
const OP = { end: 0x0b, globalGet: 0x23, globalSet: 0x24, i32Const: 0x41, i64Const: 0x42, i32Add: 0x6a, prefix: 0xfc, memoryFill: 11 } as const;

type Relocations = Map<number, { base: number; add: number }>;

/**
 * `sections` without the start section, and with the start function's global
 * relocations moved into the globals' initialisers and its body emptied.
 */
function withoutStart(sections: Section[]): Section[] {
  const start = sections.find((s) => s.id === SectionId.start);
  if (!start) return sections;
  const imports = readImports(sections);
  const funcs = imports.filter((i) => i.kind === 0).length;
  const globals = imports.filter((i) => i.kind === 3).map((i) => `${i.module}.${i.name}`);
  const at = new Reader(start.body).u32() - funcs;
  const code = sections.find((s) => s.id === SectionId.code);
  const entries = code ? codeEntries(code.body) : [];
  if (at < 0 || at >= entries.length) throw refuseStart("is not one of its own");
  const relocs = startRelocations(entries[at]!, globals);
  if ([...relocs.keys()].some((g) => g < globals.length)) throw refuseStart("relocates an imported global");
  entries[at] = new Uint8Array([0, OP.end]); // no locals, no instructions
  let relocated = false;
  const out = sections.flatMap((s): Section[] => {
    if (s.id === SectionId.start) return [];
    if (s.id === SectionId.code) return [{ id: s.id, body: vector(entries.map((e) => new Uint8Array([...uleb(e.length), ...e]))) }];
    if (s.id !== SectionId.global || relocs.size === 0) return [s];
    relocated = true;
    return [{ id: s.id, body: relocateGlobals(s.body, globals.length, relocs) }];
  });
  if (relocs.size > 0 && !relocated) throw new Error("a side module's start function sets globals it does not have");
  return out;
}

const refuseStart = (what: string) => new Error(`a side module's start function ${what}: it cannot be linked again after a snapshot`);

/** Each function body (locals and code) of a code section. */
function codeEntries(body: Uint8Array): Uint8Array[] {
  const r = new Reader(body);
  const out: Uint8Array[] = [];
  for (let n = r.u32(); n > 0; n--) {
    const len = r.u32();
    out.push(body.subarray(r.pos, r.pos + len));
    r.pos += len;
  }
  return out;
}

function vector(items: Uint8Array[]): Uint8Array {
  return concat([new Uint8Array(uleb(items.length)), ...items]);
}

/**
 * What a start function does to globals: exactly `global.get base; i32.const C; i32.add;
 * global.set G` (base __memory_base or __table_base), by G. Between those it may only clear or
 * store to memory (which a relink must not do again); anything else is refused, since it could
 * not be kept.
 */
function startRelocations(entry: Uint8Array, importedGlobals: string[]): Relocations {
  const r = new Reader(entry);
  for (let n = r.u32(); n > 0; n--) (r.u32(), r.byte()); // locals
  const relocs: Relocations = new Map();
  // the instructions since the last store or global.set: a relocation is the last four of them
  let recent: { op: number; arg: number }[] = [];
  for (;;) {
    const op = r.byte();
    if (op === OP.end) {
      if (!r.done()) throw refuseStart("has code after its end");
      return relocs;
    }
    if (op === OP.globalGet || op === OP.globalSet) recent.push({ op, arg: r.u32() });
    else if (op === OP.i32Const) recent.push({ op, arg: r.s32() });
    else if (op === OP.i64Const || op === OP.i32Add) {
      if (op === OP.i64Const) skipLeb(r);
      recent.push({ op, arg: 0 });
    } else if (op >= 0x36 && op <= 0x3e) {
      (r.u32(), r.u32()); // a store's alignment and offset
      recent = [];
    } else if (op === OP.prefix && r.u32() === OP.memoryFill) {
      r.byte();
      recent = [];
    } else throw refuseStart(`holds opcode 0x${op.toString(16)}`);
    if (op !== OP.globalSet) continue;
    const [get, add, sum, set] = recent;
    const base = get && importedGlobals[get.arg];
    if (recent.length !== 4 || get!.op !== OP.globalGet || (base !== "env.__memory_base" && base !== "env.__table_base") || add!.op !== OP.i32Const || sum!.op !== OP.i32Add) {
      throw refuseStart(`sets global ${set!.arg} to something other than a base plus a constant`);
    }
    relocs.set(set!.arg, { base: get!.arg, add: add!.arg });
    recent = [];
  }
}

/** Skip a constant expression (a data segment's offset, a global's initialiser) up to and including its `end`. */
function skipConstExpr(r: Reader, what: string): void {
  for (let op = r.byte(); op !== OP.end; op = r.byte()) {
    if (op === OP.globalGet) r.u32();
    else if (op === OP.i32Const || op === OP.i64Const) skipLeb(r);
    else if (op < 0x6a || op > 0x6c) throw new Error(`unexpected opcode 0x${op.toString(16)} in ${what}`); // (i32.add, sub, mul: extended constants)
  }
}

/** The global section with each global in `relocs` (by index, imports first) initialised to its base plus its constant. */
function relocateGlobals(body: Uint8Array, imported: number, relocs: Relocations): Uint8Array {
  const r = new Reader(body);
  const out: Uint8Array[] = [];
  const count = r.u32();
  for (let i = 0; i < count; i++) {
    const type = r.byte();
    const mutable = r.byte();
    const init = r.pos;
    skipConstExpr(r, "a global's initialiser");
    const reloc = relocs.get(imported + i);
    const expr = reloc ? [OP.globalGet, ...uleb(reloc.base), OP.i32Const, ...sleb(reloc.add), OP.i32Add, OP.end] : [...body.subarray(init, r.pos)];
    out.push(new Uint8Array([type, mutable, ...expr]));
  }
  return vector(out);
}

/** Where a side module was placed: what a snapshot records to link it again after a restore. */
export interface Placement {
  name: string;
  memoryBase: number;
  tableBase: number;
  /** The table's size once it was linked: its range and then its GOT.func slots end here. */
  tableEnd?: number;
}

const TABLE = "__indirect_function_table";

/** Where a side module's host function comes from (each link takes its own sandbox's), or what else an import is given. */
type PlanEntry = LinkImport | { kind: "wasi" | "override"; name: string } | { kind: "unlinked"; name: string; defined: boolean };

/**
 * How a kept side module (SideModule.keep) was linked at its placement into an instance of one
 * module: the same every time, so edgebox serve's requests (each links URL again when its code
 * first touches it) link it again without resolving its imports (~3 µs of ~7).
 */
interface LinkPlan {
  /** The placement's bases and the names of the host functions that replaced exports (`overrides`). */
  made: string;
  prepared: PreparedLink;
  /** Where each host function comes from, in `prepared.hosts`' order. */
  hosts: PlanEntry[];
  gotFunc: [number, string, "root" | "self"][];
  end: number;
}
const plans = new WeakMap<SideModule, WeakMap<WasmModule, LinkPlan>>();

/**
 * Link `side` into the guest `root`. Fresh (no `placement`): allocate its
 * memory and table range, apply relocations, run constructors and its init
 * function. After a snapshot restore (`placement` given): link at the same
 * bases without initialising anything, keeping the memory state the snapshot
 * holds (instantiation rewrites the module's data segments, so they are saved
 * and put back).
 */
export function linkSideModule(
  root: Instance,
  side: SideModule,
  wasi: Record<string, HostFunction>,
  placement?: Placement,
  /** Host functions in place of the guest's exports of these names. */
  overrides: Record<string, HostFunction> = {},
): { instance: Instance; placement: Placement } {
  const x = root.exports;
  // does the main module export it (asked without binding a function for it)
  const has = (name: string) => (root.hasExport ? root.hasExport(name) : x[name] !== undefined);
  const { dylink } = side;
  const defines = new Set(side.defines);
  let memoryBase: number;
  let tableBase: number;
  if (placement) {
    ({ memoryBase, tableBase } = placement);
    reserveTable(root, placement.tableEnd ?? tableBase + dylink.tableSize);
  } else {
    memoryBase = 0;
    if (dylink.memorySize > 0) {
      const align = 2 ** dylink.memoryAlign;
      const raw = x.malloc!(dylink.memorySize + align) as number;
      if (raw === 0) throw new Error(`no memory for side module ${side.name}`);
      memoryBase = Math.ceil(raw / align) * align;
      root.memory().fill(0, memoryBase, memoryBase + dylink.memorySize);
    }
    tableBase = root.tableGrow(TABLE, dylink.tableSize);
  }

  // Symbols the module imports and also defines (C++ inline functions): served by itself once instantiated.
  let self: Instance | undefined;
  let gotFunc: [number, string, "root" | "self"][] = [];
  // GOT.func slots follow the module's range, in import order: at the same places each time it is
  // linked again (memory may hold these function pointers), whatever grew the table since.
  let nextSlot = tableBase + dylink.tableSize;
  const classify = (imp: ModuleImport): PlanEntry => {
    if (imp.module === "wasi_snapshot_preview1") return { kind: "wasi", name: imp.name };
    if (imp.module === "GOT.mem") return { kind: "global", value: 0, mutable: true };
    if (imp.module === "GOT.func") {
      // A table slot for the function: the guest's export, or the module's own once it exists.
      const from = has(imp.name) ? "root" : defines.has(imp.name) ? "self" : undefined;
      if (!from) return { kind: "global", value: 0, mutable: true }; // never defined: a call through it traps
      const slot = nextSlot++;
      gotFunc.push([slot, imp.name, from]);
      return { kind: "global", value: slot, mutable: true };
    }
    if (imp.module !== "env") throw new Error(`side module ${side.name} imports from unknown module ${imp.module}`);
    switch (imp.name) {
      case "memory":
      case TABLE:
      case "__stack_pointer":
        return { kind: "export", name: imp.name };
      case "__memory_base":
        return { kind: "global", value: memoryBase, mutable: false };
      case "__table_base":
        return { kind: "global", value: tableBase, mutable: false };
    }
    if (imp.kind === "func") {
      if (overrides[imp.name]) return { kind: "override", name: imp.name };
      if (has(imp.name)) return { kind: "export", name: imp.name };
      return { kind: "unlinked", name: imp.name, defined: defines.has(imp.name) };
    }
    return { kind: "global", value: 0, mutable: true };
  };
  const materialize = (entry: PlanEntry): LinkImport => {
    switch (entry.kind) {
      case "wasi": {
        const fn = wasi[entry.name];
        if (!fn) throw new Error(`side module ${side.name} imports an unknown WASI function ${entry.name}`);
        return { kind: "host", fn };
      }
      case "override":
        return { kind: "host", fn: overrides[entry.name]! };
      case "unlinked": {
        const { name, defined } = entry;
        const fn = (...args: unknown[]) => {
          // Imported but never linked (as some extensions do for code they do not use): calling it is a trap.
          if (!defined) throw new Error(`side module ${side.name} called ${name}, which nothing defines`);
          return self!.exports[name]!(...(args as number[]));
        };
        return { kind: "host", fn: { params: [], results: [], fn } };
      }
      default:
        return entry;
    }
  };
  const hostFn = (entry: PlanEntry) => (materialize(entry) as { fn: HostFunction }).fn;

  const saved = placement && !side.writesNothing && dylink.memorySize > 0 ? root.memory().slice(memoryBase, memoryBase + dylink.memorySize) : undefined;
  const keep = side.keep === true && placement !== undefined;
  const byModule = keep && root.module && root.prepareLink && root.linkPrepared ? (plans.get(side) ?? plans.set(side, new WeakMap()).get(side)!) : undefined;
  let instance: Instance;
  if (byModule) {
    const how = `${memoryBase}:${tableBase}:${Object.keys(overrides).join(":")}`;
    let plan = byModule.get(root.module!);
    if (plan?.made !== how) {
      // (worked out once: the imports classified, GOT.func slots given; a later link reuses it)
      const hosts: PlanEntry[] = [];
      const prepared = root.prepareLink!(side.module, (imp) => {
        const entry = classify(imp);
        const given = materialize(entry);
        if (given.kind === "host") hosts.push(entry);
        return given;
      });
      plan = { made: how, prepared, hosts, gotFunc, end: nextSlot };
      byModule.set(root.module!, plan);
    }
    instance = root.linkPrepared!(side.module, plan.prepared, plan.hosts.map(hostFn), keep);
    gotFunc = plan.gotFunc;
    nextSlot = plan.end;
  } else {
    instance = root.link(side.module, (imp) => materialize(classify(imp)), keep);
  }
  self = instance;
  reserveTable(root, nextSlot);
  for (const [slot, name, from] of gotFunc) {
    root.tableSetFunction(TABLE, slot, from === "root" ? root : instance, name, keep);
  }
  if (placement) {
    if (saved) root.memory().set(saved, memoryBase);
  } else {
    instance.exports.__wasm_apply_data_relocs?.();
    instance.exports.__wasm_call_ctors?.();
    if (!instance.exports[side.initFn]) throw new Error(`side module ${side.name} has no ${side.initFn}`);
    const status = instance.exports[side.initFn]!(x.qjs_get_context_ptr!(), x.qjs_get_runtime_ptr!()) as number;
    if (status !== 0) throw new Error(`side module ${side.name}: ${side.initFn} returned ${status}`);
  }
  return { instance, placement: { name: side.name, memoryBase, tableBase, tableEnd: nextSlot } };
}

/** Grow the guest's function table to at least `end` slots (keeping a side module's slots for it). */
export function reserveTable(root: Instance, end: number): void {
  // (growing by zero returns the current size)
  const grow = end - root.tableGrow(TABLE, 0);
  if (grow > 0) root.tableGrow(TABLE, grow);
}
