// Reading a Windows PE file's export and import tables: the release links the
// host library against Wasmtime's DLL through an import library made from
// that DLL's exports (the wheel ships no .lib), and checks that every DLL the
// shipped files import is either shipped beside them or part of Windows.

interface Section {
  va: number;
  size: number;
  raw: number;
}

class PE {
  private readonly view: DataView;
  private readonly sections: Section[] = [];
  readonly dirs: { va: number; size: number }[] = [];

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.u16(0) !== 0x5a4d) throw new Error("not a PE file (no MZ header)");
    const pe = this.u32(0x3c);
    if (this.u32(pe) !== 0x4550) throw new Error("not a PE file (no PE signature)");
    const nsections = this.u16(pe + 6);
    const optSize = this.u16(pe + 20);
    const opt = pe + 24;
    const magic = this.u16(opt);
    if (magic !== 0x20b) throw new Error("not a 64-bit PE file (PE32+)");
    const ndirs = this.u32(opt + 108);
    for (let i = 0; i < ndirs; i++) this.dirs.push({ va: this.u32(opt + 112 + i * 8), size: this.u32(opt + 116 + i * 8) });
    for (let i = 0, s = opt + optSize; i < nsections; i++, s += 40) {
      this.sections.push({ va: this.u32(s + 12), size: Math.max(this.u32(s + 8), this.u32(s + 16)), raw: this.u32(s + 20) });
    }
  }

  u16(at: number): number {
    return this.view.getUint16(at, true);
  }
  u32(at: number): number {
    return this.view.getUint32(at, true);
  }
  /** File offset of a relative virtual address. */
  off(rva: number): number {
    const s = this.sections.find((s) => rva >= s.va && rva < s.va + s.size);
    if (!s) throw new Error(`PE: address 0x${rva.toString(16)} is in no section`);
    return rva - s.va + s.raw;
  }
  cstr(rva: number): string {
    const at = this.off(rva);
    const end = this.bytes.indexOf(0, at);
    return new TextDecoder().decode(this.bytes.subarray(at, end));
  }
}

/** The names a DLL exports. */
export function peExports(bytes: Uint8Array): string[] {
  const pe = new PE(bytes);
  const dir = pe.dirs[0];
  if (!dir || dir.size === 0) return [];
  const at = pe.off(dir.va);
  const count = pe.u32(at + 24);
  const names = pe.off(pe.u32(at + 32));
  return Array.from({ length: count }, (_, i) => pe.cstr(pe.u32(names + i * 4)));
}

/** The DLLs a PE file imports (the import directory and the delay-load one). */
export function peImports(bytes: Uint8Array): string[] {
  const pe = new PE(bytes);
  const out: string[] = [];
  const imports = pe.dirs[1];
  if (imports && imports.size > 0) {
    for (let at = pe.off(imports.va); pe.u32(at + 12) !== 0; at += 20) out.push(pe.cstr(pe.u32(at + 12)));
  }
  const delay = pe.dirs[13];
  if (delay && delay.size > 0) {
    for (let at = pe.off(delay.va); pe.u32(at + 4) !== 0; at += 32) out.push(pe.cstr(pe.u32(at + 4)));
  }
  return out;
}

/** A module-definition file for `zig dlltool`: the import library of `dll`. */
export function defFile(dllName: string, bytes: Uint8Array): string {
  return `LIBRARY ${dllName}\nEXPORTS\n${peExports(bytes).map((n) => `  ${n}\n`).join("")}`;
}
