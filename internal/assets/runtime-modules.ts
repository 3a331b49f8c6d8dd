// The file of the runtime's modules kept out of its snapshot (internal/assets/build.ts writes
// it, the RUNTIME_MODULE host call reads it): u32 header length, JSON {key: [offset, length]},
// then each module's bytecode.

export function packRuntimeModules(parts: [string, Uint8Array][]): Uint8Array {
  const index: Record<string, [number, number]> = {};
  let offset = 0;
  for (const [key, bytes] of parts) {
    index[key] = [offset, bytes.length];
    offset += bytes.length;
  }
  const header = new TextEncoder().encode(JSON.stringify(index));
  const out = new Uint8Array(4 + header.length + offset);
  new DataView(out.buffer).setUint32(0, header.length, true);
  out.set(header, 4);
  let at = 4 + header.length;
  for (const [, bytes] of parts) {
    out.set(bytes, at);
    at += bytes.length;
  }
  return out;
}

export function unpackRuntimeModules(file: Uint8Array): Map<string, Uint8Array> {
  const headerLength = new DataView(file.buffer, file.byteOffset).getUint32(0, true);
  const index = JSON.parse(new TextDecoder().decode(file.subarray(4, 4 + headerLength))) as Record<string, [number, number]>;
  const base = 4 + headerLength;
  return new Map(Object.entries(index).map(([key, [offset, length]]) => [key, file.subarray(base + offset, base + offset + length)]));
}
