// get-stream: reads Node streams through events.on(stream, "data", { signal }) and stream.finished
import { PassThrough, Readable } from "node:stream";
import getStream, { getStreamAsArray, getStreamAsBuffer, MaxBufferError } from "get-stream";

console.log(await getStream(Readable.from(["hello ", "from ", "a stream"])));
const slow = new PassThrough();
setTimeout(() => slow.write("one,"), 1);
setTimeout(() => slow.write("two,"), 3);
setTimeout(() => slow.end("three"), 5);
console.log(await getStream(slow));
console.log(await getStreamAsArray(Readable.from([{ a: 1 }, { b: 2 }], { objectMode: true })));
const buf = await getStreamAsBuffer(Readable.from([Buffer.from("ab"), Buffer.from("cd")]));
console.log(buf.toString("hex"), Buffer.isBuffer(buf));
try {
  await getStream(Readable.from(["x".repeat(10), "y".repeat(10)]), { maxBuffer: 15 });
} catch (err) {
  console.log(err instanceof MaxBufferError, err.name, err.bufferedData.length);
}
const broken = new PassThrough();
setTimeout(() => { broken.write("partial"); broken.destroy(new Error("disk gone")); }, 1);
try {
  await getStream(broken);
} catch (err) {
  console.log("rejected:", err.message, err.bufferedData);
}
