const pako = require("pako");
const input = new TextEncoder().encode("hello hello hello sandbox ".repeat(50));
const def = pako.deflate(input, { level: 9 });
const gz = pako.gzip(input, { header: { name: "x.txt", mtime: 0 } });
console.log(def.length, gz.length, Buffer.from(def.slice(0, 8)).toString("hex"));
console.log(new TextDecoder().decode(pako.inflate(def)).slice(0, 30), pako.ungzip(gz, { to: "string" }).length);
console.log(pako.inflateRaw(pako.deflateRaw("abc")).join(","));
try { pako.inflate(new Uint8Array([1, 2, 3])); } catch (e) { console.log("error:", e.message ?? e); }
// interoperates with node:zlib
const zlib = require("zlib");
console.log(zlib.inflateSync(Buffer.from(def)).length, pako.inflate(zlib.deflateSync(Buffer.from("zlib side"))).length);
