// node:stream: the npm `readable-stream` package (node's streams, ES5-callable
// as node's are: `Stream.call(this)`, `Readable.call(this, opts)`).

import Stream from "readable-stream/lib/stream.js";

export { Stream };
export const { Readable, Writable, Duplex, Transform, PassThrough, finished, pipeline, promises } = Stream;
