const split2 = require("split2");
const { Readable, pipeline, Writable } = require("stream");
const lines = [];
pipeline(
  Readable.from([Buffer.from("one\ntw"), Buffer.from("o\r\nthree\n"), Buffer.from('{"j":1}\n')]),
  split2(),
  new Writable({ write(line, _e, cb) { lines.push(line.toString()); cb(); } }),
  (err) => {
    console.log(err ?? "done", JSON.stringify(lines));
    const objs = [];
    const s = split2(JSON.parse);
    s.on("data", (o) => objs.push(o)).on("end", () => console.log(JSON.stringify(objs)));
    s.end('{"a":1}\n{"b":[2]}\n');
  },
);
