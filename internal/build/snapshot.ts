// Pre-initialisation, as Wizer does it: run a module's initialisation once,
// then write the resulting linear memory and stack pointer back into the
// module as its initial state. Instantiating the result (copy-on-write in
// Wasmtime) starts where the initialisation ended.
//
// Only memory and the `__stack_pointer` global are captured: tables keep
// their element segments (side modules are linked again at the same bases),
// and the guest has no other mutable global.

import { Reader, SectionId, readSections, sleb, uleb, writeModule, type Section } from "../engine/wasm.ts";

const PAGE = 65536;
/** Zero runs shorter than this stay inside one data segment (a segment costs ~8 bytes). */
const MIN_GAP = 32;

/** Non-zero runs of `mem`, merged across short zero gaps. */
function dataRuns(mem: Uint8Array): [number, number][] {
  const runs: [number, number][] = [];
  let i = 0;
  const n = mem.length;
  while (i < n) {
    while (i < n && mem[i] === 0) i++;
    if (i >= n) break;
    const start = i;
    let end = i;
    while (i < n) {
      if (mem[i] !== 0) {
        end = ++i;
        continue;
      }
      let j = i;
      while (j < n && mem[j] === 0 && j - i < MIN_GAP) j++;
      if (j >= n || j - i >= MIN_GAP) break;
      i = j;
    }
    runs.push([start, end]);
    i = end;
  }
  return runs;
}

function dataSection(mem: Uint8Array): { body: Uint8Array; count: number } {
  const runs = dataRuns(mem);
  const parts: number[][] = [uleb(runs.length)];
  let size = parts[0]!.length;
  const chunks: (number[] | Uint8Array)[] = [parts[0]!];
  for (const [start, end] of runs) {
    const head = [0x00, 0x41, ...sleb(start | 0), 0x0b, ...uleb(end - start)];
    chunks.push(head, mem.subarray(start, end));
    size += head.length + (end - start);
  }
  const body = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    body.set(c, off);
    off += c.length;
  }
  return { body, count: runs.length };
}

function memorySection(old: Uint8Array, pages: number): Uint8Array {
  const r = new Reader(old);
  if (r.u32() !== 1) throw new Error("pre-initialisation expects exactly one memory");
  const flags = r.byte();
  r.u32(); // old minimum
  const rest = old.subarray(r.pos); // the maximum, when flags say there is one
  return new Uint8Array([1, flags, ...uleb(pages), ...rest]);
}

function globalSection(old: Uint8Array, stackPointer: number): Uint8Array {
  const r = new Reader(old);
  const count = r.u32();
  const type = r.byte();
  const mutable = r.byte();
  if (count !== 1 || type !== 0x7f || mutable !== 1) {
    throw new Error("pre-initialisation expects one mutable i32 global (__stack_pointer)");
  }
  return new Uint8Array([1, 0x7f, 1, 0x41, ...sleb(stackPointer | 0), 0x0b]);
}

/** The table section with its one table's minimum raised to `min` (a maximum below it is an error). */
function tableSection(old: Uint8Array, min: number): Uint8Array {
  const r = new Reader(old);
  if (r.u32() !== 1) throw new Error("pre-initialisation expects exactly one table");
  const type = r.byte();
  const flags = r.byte();
  const oldMin = r.u32();
  const max = flags & 1 ? r.u32() : undefined;
  if (max !== undefined && max < min) throw new Error(`the table holds at most ${max} functions, not ${min}`);
  return new Uint8Array([1, type, flags, ...uleb(Math.max(oldMin, min)), ...(max !== undefined ? uleb(max) : [])]);
}

/**
 * `wasm` with `memory` as its initial memory and `stackPointer` as its initial stack pointer;
 * `tableSize`: its function table starts that large (the side modules linked again find their
 * slots there, rather than grow the table in every instance).
 */
export function preinitialize(wasm: Uint8Array, memory: Uint8Array, stackPointer: number, withData = true, tableSize = 0): Uint8Array {
  const pages = Math.ceil(memory.length / PAGE);
  // (without data: the engine is handed the memory itself, NativeEngine.setMemoryImage)
  const data = dataSection(withData ? memory : new Uint8Array(0));
  const out: Section[] = [];
  for (const s of readSections(wasm)) {
    switch (s.id) {
      case SectionId.memory:
        out.push({ id: s.id, body: memorySection(s.body, pages) });
        break;
      case SectionId.table:
        out.push(tableSize ? { id: s.id, body: tableSection(s.body, tableSize) } : s);
        break;
      case SectionId.global:
        out.push({ id: s.id, body: globalSection(s.body, stackPointer) });
        break;
      case SectionId.start:
        // (it would run again over the state it made: and edgebox serve recycles an image's instances without running it)
        throw new Error("pre-initialisation expects a module without a start function");
      case SectionId.dataCount:
        out.push({ id: s.id, body: new Uint8Array(uleb(data.count)) });
        break;
      case SectionId.data:
        out.push({ id: s.id, body: data.body });
        break;
      default:
        out.push(s);
    }
  }
  return writeModule(out);
}
