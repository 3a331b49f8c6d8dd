import through2 from "through2";
import { Readable } from "node:stream";
const upper = through2(function (chunk, enc, cb) {
  this.push(chunk.toString().toUpperCase());
  cb();
}, function (cb) {
  this.push("!END");
  cb();
});
const parts = [];
Readable.from(["a", "b", "c"]).pipe(upper).pipe(through2.obj(function (c, _e, cb) {
  parts.push(c.toString());
  cb(null, c);
})).on("finish", () => console.log(parts.join("|")));
const objs = [];
const t = through2.obj((o, _e, cb) => cb(null, { ...o, seen: true }));
t.on("data", (o) => objs.push(o)).on("end", () => console.log(JSON.stringify(objs)));
t.write({ n: 1 });
t.end({ n: 2 });
