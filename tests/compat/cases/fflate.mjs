import { zipSync, unzipSync, strToU8, strFromU8, gzipSync, gunzipSync, deflateSync, inflateSync } from "fflate";
const zipped = zipSync({ "a.txt": strToU8("alpha ".repeat(20)), "dir/b.json": strToU8(JSON.stringify({ b: 1 })) }, { level: 6, mtime: new Date(Date.UTC(2020, 0, 1)) });
console.log(zipped.length);
const files = unzipSync(zipped);
console.log(Object.keys(files).join(","), strFromU8(files["dir/b.json"]), files["a.txt"].length);
const gz = gzipSync(strToU8("fflate ".repeat(100)), { mtime: 0 });
console.log(gz.length, strFromU8(gunzipSync(gz)).length, inflateSync(deflateSync(strToU8("x"))).length);
