// node:stream: Readable, Writable, Duplex, Transform, PassThrough, pipeline,
// finished. A compact implementation of node's streams semantics: buffering
// up to highWaterMark, flowing and paused modes, backpressure through
// write()'s return value and 'drain', end/finish/close ordering.

import { EventEmitter } from "./events.js";
import { Buffer } from "./buffer.js";
import { process } from "./process.js";

const nextTick = (fn, ...args) => process.nextTick(fn, ...args);

function chunkLength(chunk, objectMode) {
  return objectMode ? 1 : chunk.length;
}

function notImplemented(name) {
  const err = new Error(`The ${name} method is not implemented`);
  err.code = "ERR_METHOD_NOT_IMPLEMENTED";
  return err;
}

export class Stream extends EventEmitter {
  constructor(opts) {
    super(opts);
  }
  pipe(dest, options) {
    return Readable.prototype.pipe.call(this, dest, options);
  }
}

export class Readable extends Stream {
  constructor(opts = {}) {
    super(opts);
    const objectMode = Boolean(opts.objectMode || opts.readableObjectMode);
    this._readableState = {
      objectMode,
      highWaterMark: opts.highWaterMark ?? opts.readableHighWaterMark ?? (objectMode ? 16 : 16384),
      buffer: [],
      length: 0,
      flowing: null,
      ended: false,
      endEmitted: false,
      reading: false,
      destroyed: false,
      errored: null,
      closed: false,
      encoding: null,
      decoder: null,
      emitClose: opts.emitClose !== false,
      autoDestroy: opts.autoDestroy !== false,
      readableListening: false,
      flowScheduled: false,
      pipes: [],
    };
    if (opts.encoding) this.setEncoding(opts.encoding);
    if (typeof opts.read === "function") this._read = opts.read;
    if (typeof opts.destroy === "function") this._destroy = opts.destroy;
    if (typeof opts.construct === "function") {
      this._readableState.constructing = true;
      nextTick(() =>
        opts.construct.call(this, (err) => {
          this._readableState.constructing = false;
          if (err) this.destroy(err);
          else scheduleFlow(this);
        }),
      );
    }
  }

  get readable() {
    const s = this._readableState;
    return !s.destroyed && !s.endEmitted;
  }
  get readableEnded() {
    return this._readableState.endEmitted;
  }
  get readableFlowing() {
    return this._readableState.flowing;
  }
  set readableFlowing(v) {
    this._readableState.flowing = v;
  }
  get readableLength() {
    return this._readableState.length;
  }
  get readableHighWaterMark() {
    return this._readableState.highWaterMark;
  }
  get readableObjectMode() {
    return this._readableState.objectMode;
  }
  get readableEncoding() {
    return this._readableState.encoding;
  }
  get destroyed() {
    return this._readableState.destroyed;
  }
  set destroyed(v) {
    this._readableState.destroyed = v;
  }
  get errored() {
    return this._readableState.errored;
  }
  get closed() {
    return this._readableState.closed;
  }

  _read() {
    throw notImplemented("_read()");
  }

  push(chunk, encoding) {
    const s = this._readableState;
    if (chunk === null) {
      s.ended = true;
      s.reading = false;
      scheduleFlow(this);
      return false;
    }
    if (s.ended || s.destroyed) return false;
    if (!s.objectMode) {
      if (typeof chunk === "string") chunk = s.decoder ? chunk : Buffer.from(chunk, encoding);
      else if (chunk instanceof Uint8Array && !(chunk instanceof Buffer)) chunk = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (s.decoder && typeof chunk !== "string") chunk = s.decoder.write(chunk);
      if (chunk.length === 0) {
        s.reading = false;
        return s.length < s.highWaterMark;
      }
    }
    s.buffer.push(chunk);
    s.length += chunkLength(chunk, s.objectMode);
    s.reading = false;
    scheduleFlow(this);
    return s.length < s.highWaterMark;
  }

  unshift(chunk) {
    const s = this._readableState;
    if (chunk === null) return;
    if (!s.objectMode && typeof chunk === "string" && !s.decoder) chunk = Buffer.from(chunk);
    s.buffer.unshift(chunk);
    s.length += chunkLength(chunk, s.objectMode);
  }

  read(n) {
    const s = this._readableState;
    if (n === 0) {
      maybeRead(this);
      return null;
    }
    if (s.length === 0) {
      maybeRead(this);
      if (s.ended) scheduleFlow(this);
      return null;
    }
    let out;
    if (s.objectMode) {
      out = s.buffer.shift();
      s.length -= 1;
    } else if (n === undefined || n >= s.length) {
      if (n !== undefined && n > s.length && !s.ended) {
        maybeRead(this);
        return null;
      }
      out = s.buffer.length === 1 ? s.buffer[0] : typeof s.buffer[0] === "string" ? s.buffer.join("") : Buffer.concat(s.buffer);
      s.buffer = [];
      s.length = 0;
    } else {
      out = take(s, n);
    }
    maybeRead(this);
    if (s.length === 0 && s.ended) scheduleFlow(this);
    if (out !== null && out !== undefined) this.emit("data", out);
    return out;
  }

  setEncoding(enc) {
    const s = this._readableState;
    s.encoding = enc;
    s.decoder = new Utf8Decoder(enc);
    s.buffer = s.buffer.map((b) => (typeof b === "string" ? b : s.decoder.write(b)));
    s.length = s.buffer.reduce((n, b) => n + b.length, 0);
    return this;
  }

  on(ev, fn) {
    const r = super.on(ev, fn);
    const s = this._readableState;
    if (ev === "data") {
      if (s.flowing !== false) this.resume();
    } else if (ev === "readable") {
      s.readableListening = true;
      s.flowing = false;
      scheduleFlow(this);
    }
    return r;
  }

  addListener(ev, fn) {
    return this.on(ev, fn);
  }

  resume() {
    const s = this._readableState;
    if (!s.flowing) {
      s.flowing = !s.readableListening;
      scheduleFlow(this);
      this.emit("resume");
    }
    return this;
  }

  pause() {
    if (this._readableState.flowing !== false) {
      this._readableState.flowing = false;
      this.emit("pause");
    }
    return this;
  }

  isPaused() {
    return this._readableState.flowing === false;
  }

  pipe(dest, options = {}) {
    const src = this;
    const s = this._readableState;
    s.pipes.push(dest);
    const ondata = (chunk) => {
      if (dest.write(chunk) === false) {
        src.pause();
        dest.once("drain", () => src.resume());
      }
    };
    src.on("data", ondata);
    if (options.end !== false && dest !== process.stdout && dest !== process.stderr) src.once("end", () => dest.end());
    dest.emit("pipe", src);
    src.resume();
    return dest;
  }

  unpipe(dest) {
    const s = this._readableState;
    s.pipes = dest ? s.pipes.filter((d) => d !== dest) : [];
    this.removeAllListeners("data");
    return this;
  }

  destroy(err, cb) {
    destroyStream(this, err, cb);
    return this;
  }

  _destroy(err, cb) {
    cb(err);
  }

  wrap(stream) {
    stream.on("data", (c) => this.push(c));
    stream.on("end", () => this.push(null));
    stream.on("error", (e) => this.destroy(e));
    this._read = () => stream.resume?.();
    return this;
  }

  async *[Symbol.asyncIterator]() {
    const s = this._readableState;
    let error = null;
    let wake = null;
    const signal = () => {
      const w = wake;
      wake = null;
      w?.();
    };
    this.on("readable", signal);
    this.on("end", signal);
    this.on("error", (e) => {
      error = e;
      signal();
    });
    this.on("close", signal);
    try {
      for (;;) {
        if (error) throw error;
        const chunk = this.read();
        if (chunk !== null) {
          yield chunk;
          continue;
        }
        if (s.endEmitted || (s.ended && s.length === 0) || s.destroyed) return;
        await new Promise((r) => {
          wake = r;
        });
      }
    } finally {
      if (!s.endEmitted) this.destroy();
    }
  }

  async toArray() {
    const out = [];
    for await (const c of this) out.push(c);
    return out;
  }

  static from(iterable, opts) {
    if (typeof iterable === "string" || iterable instanceof Uint8Array) {
      return new Readable({
        objectMode: true,
        ...opts,
        read() {
          this.push(iterable);
          this.push(null);
        },
      });
    }
    const it = iterable[Symbol.asyncIterator] ? iterable[Symbol.asyncIterator]() : iterable[Symbol.iterator]();
    let busy = false;
    return new Readable({
      objectMode: true,
      ...opts,
      read() {
        if (busy) return;
        busy = true;
        Promise.resolve(it.next()).then(
          ({ value, done }) => {
            busy = false;
            if (done) this.push(null);
            else Promise.resolve(value).then((v) => this.push(v), (e) => this.destroy(e));
          },
          (e) => this.destroy(e),
        );
      },
    });
  }
}

function take(s, n) {
  const first = s.buffer[0];
  if (n < first.length) {
    s.buffer[0] = first.slice(n);
    s.length -= n;
    return first.slice(0, n);
  }
  const parts = [];
  let got = 0;
  while (got < n) {
    const b = s.buffer[0];
    const want = n - got;
    if (b.length <= want) {
      parts.push(s.buffer.shift());
      got += b.length;
    } else {
      parts.push(b.slice(0, want));
      s.buffer[0] = b.slice(want);
      got += want;
    }
  }
  s.length -= n;
  return typeof parts[0] === "string" ? parts.join("") : Buffer.concat(parts);
}

function maybeRead(stream) {
  const s = stream._readableState;
  if (!s.reading && !s.ended && !s.destroyed && !s.constructing && s.length < s.highWaterMark) {
    s.reading = true;
    try {
      stream._read(s.highWaterMark);
    } catch (e) {
      stream.destroy(e);
    }
  }
}

function scheduleFlow(stream) {
  const s = stream._readableState;
  if (s.flowScheduled) return;
  s.flowScheduled = true;
  nextTick(flow, stream);
}

function flow(stream) {
  const s = stream._readableState;
  s.flowScheduled = false;
  if (s.destroyed) return;
  if (s.flowing) {
    while (s.flowing && s.buffer.length > 0) {
      const chunk = s.buffer.shift();
      s.length -= chunkLength(chunk, s.objectMode);
      stream.emit("data", chunk);
    }
  } else if (s.readableListening && (s.length > 0 || s.ended)) {
    stream.emit("readable");
  }
  if (s.ended && s.length === 0) {
    endReadable(stream);
    return;
  }
  if (s.flowing || s.readableListening || s.length === 0) maybeRead(stream);
}

function endReadable(stream) {
  const s = stream._readableState;
  if (s.endEmitted) return;
  if (s.decoder) {
    const rest = s.decoder.end();
    if (rest) {
      s.buffer.push(rest);
      s.length += rest.length;
      scheduleFlow(stream);
      return;
    }
  }
  s.endEmitted = true;
  stream.emit("end");
  const ws = stream._writableState;
  if (s.autoDestroy && (!ws || ws.finished || stream.allowHalfOpen === false)) nextTick(() => stream.destroy());
}

function destroyStream(stream, err, cb) {
  const rs = stream._readableState;
  const ws = stream._writableState;
  const st = rs ?? ws;
  if (st.destroyed) {
    if (typeof cb === "function") cb(err);
    return;
  }
  if (rs) rs.destroyed = true;
  if (ws) ws.destroyed = true;
  stream._destroy(err ?? null, (e) => {
    if (e) {
      if (rs) rs.errored = e;
      if (ws) ws.errored = e;
    }
    nextTick(() => {
      if (e) stream.emit("error", e);
      if (rs) rs.closed = true;
      if (ws) ws.closed = true;
      if ((rs ?? ws).emitClose) stream.emit("close");
      if (typeof cb === "function") cb(e);
    });
  });
}

/** Decodes byte chunks without splitting multi-byte characters. */
class Utf8Decoder {
  constructor(enc) {
    this.enc = enc;
    this.pending = null;
  }
  write(buf) {
    if (this.enc !== "utf8" && this.enc !== "utf-8") return Buffer.from(buf).toString(this.enc);
    let b = this.pending ? Buffer.concat([this.pending, buf]) : Buffer.from(buf);
    this.pending = null;
    let cut = b.length;
    for (let i = Math.max(0, b.length - 3); i < b.length; i++) {
      const c = b[i];
      const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
      if (need && i + need > b.length) {
        cut = i;
        break;
      }
    }
    if (cut < b.length) {
      this.pending = b.subarray(cut);
      b = b.subarray(0, cut);
    }
    return b.toString("utf8");
  }
  end() {
    const p = this.pending;
    this.pending = null;
    return p ? p.toString("utf8") : "";
  }
}

export class Writable extends Stream {
  constructor(opts = {}) {
    super(opts);
    const objectMode = Boolean(opts.objectMode || opts.writableObjectMode);
    this._writableState = {
      objectMode,
      highWaterMark: opts.highWaterMark ?? opts.writableHighWaterMark ?? (objectMode ? 16 : 16384),
      decodeStrings: opts.decodeStrings !== false,
      defaultEncoding: opts.defaultEncoding ?? "utf8",
      queue: [],
      length: 0,
      writing: false,
      ending: false,
      ended: false,
      finished: false,
      destroyed: false,
      errored: null,
      closed: false,
      needDrain: false,
      corked: 0,
      emitClose: opts.emitClose !== false,
      autoDestroy: opts.autoDestroy !== false,
      finalCalled: false,
    };
    if (typeof opts.write === "function") this._write = opts.write;
    if (typeof opts.writev === "function") this._writev = opts.writev;
    if (typeof opts.final === "function") this._final = opts.final;
    if (typeof opts.destroy === "function") this._destroy = opts.destroy;
  }

  get writable() {
    const s = this._writableState;
    return !s.destroyed && !s.ending;
  }
  get writableEnded() {
    return this._writableState.ending;
  }
  get writableFinished() {
    return this._writableState.finished;
  }
  get writableLength() {
    return this._writableState.length;
  }
  get writableHighWaterMark() {
    return this._writableState.highWaterMark;
  }
  get writableObjectMode() {
    return this._writableState.objectMode;
  }
  get writableCorked() {
    return this._writableState.corked;
  }
  get writableNeedDrain() {
    return this._writableState.needDrain;
  }
  get destroyed() {
    return this._writableState.destroyed;
  }
  set destroyed(v) {
    this._writableState.destroyed = v;
  }
  get errored() {
    return this._writableState.errored;
  }
  get closed() {
    return this._writableState.closed;
  }

  _write(chunk, encoding, cb) {
    if (this._writev) this._writev([{ chunk, encoding }], cb);
    else throw notImplemented("_write()");
  }

  write(chunk, encoding, cb) {
    const s = this._writableState;
    if (typeof encoding === "function") {
      cb = encoding;
      encoding = null;
    }
    encoding ||= s.defaultEncoding;
    if (chunk === null) {
      const err = new TypeError("May not write null values to stream");
      err.code = "ERR_STREAM_NULL_VALUES";
      throw err;
    }
    if (s.ending || s.destroyed) {
      const err = new Error(s.destroyed ? "Cannot call write after a stream was destroyed" : "write after end");
      err.code = s.destroyed ? "ERR_STREAM_DESTROYED" : "ERR_STREAM_WRITE_AFTER_END";
      nextTick(() => {
        if (typeof cb === "function") cb(err);
        // (as node: a destroyed stream has had its error; a write after it reaches only the callback)
        if (!s.destroyed) this.emit("error", err);
      });
      return false;
    }
    if (!s.objectMode && typeof chunk === "string" && s.decodeStrings) {
      chunk = Buffer.from(chunk, encoding);
      encoding = "buffer";
    } else if (!s.objectMode && chunk instanceof Uint8Array && !(chunk instanceof Buffer)) {
      chunk = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      encoding = "buffer";
    }
    s.length += chunkLength(chunk, s.objectMode);
    const ok = s.length < s.highWaterMark;
    if (!ok) s.needDrain = true;
    s.queue.push({ chunk, encoding, cb });
    if (!s.writing && !s.corked) doWrite(this);
    return ok;
  }

  cork() {
    this._writableState.corked++;
  }

  uncork() {
    const s = this._writableState;
    if (s.corked > 0 && --s.corked === 0 && !s.writing) doWrite(this);
  }

  setDefaultEncoding(enc) {
    this._writableState.defaultEncoding = enc;
    return this;
  }

  end(chunk, encoding, cb) {
    const s = this._writableState;
    if (typeof chunk === "function") {
      cb = chunk;
      chunk = null;
    } else if (typeof encoding === "function") {
      cb = encoding;
      encoding = null;
    }
    if (chunk !== null && chunk !== undefined) this.write(chunk, encoding);
    if (s.corked) {
      s.corked = 1;
      this.uncork();
    }
    if (typeof cb === "function") {
      if (s.finished) nextTick(cb);
      else this.once("finish", cb);
    }
    if (!s.ending) {
      s.ending = true;
      maybeFinish(this);
    }
    return this;
  }

  destroy(err, cb) {
    destroyStream(this, err, cb);
    return this;
  }

  _destroy(err, cb) {
    cb(err);
  }
}

function doWrite(stream) {
  const s = stream._writableState;
  const item = s.queue.shift();
  if (!item) {
    s.writing = false;
    if (s.needDrain && s.length === 0) {
      s.needDrain = false;
      nextTick(() => stream.emit("drain"));
    }
    maybeFinish(stream);
    return;
  }
  s.writing = true;
  let sync = true;
  const done = (err) => {
    s.length -= chunkLength(item.chunk, s.objectMode);
    if (err) {
      s.errored = err;
      if (typeof item.cb === "function") nextTick(item.cb, err);
      stream.destroy(err);
      return;
    }
    if (typeof item.cb === "function") nextTick(item.cb, null);
    if (sync) nextTick(doWrite, stream);
    else doWrite(stream);
  };
  try {
    stream._write(item.chunk, item.encoding, done);
  } catch (e) {
    done(e);
  }
  sync = false;
}

function maybeFinish(stream) {
  const s = stream._writableState;
  if (!s.ending || s.writing || s.queue.length > 0 || s.finished || s.destroyed || s.finalCalled) return;
  s.finalCalled = true;
  const finish = (err) => {
    if (err) {
      stream.destroy(err);
      return;
    }
    s.finished = true;
    nextTick(() => {
      stream.emit("finish");
      const rs = stream._readableState;
      if (s.autoDestroy && (!rs || rs.endEmitted)) stream.destroy();
    });
  };
  if (typeof stream._final === "function") {
    try {
      stream._final(finish);
    } catch (e) {
      finish(e);
    }
  } else {
    finish();
  }
}

export class Duplex extends Readable {
  constructor(opts = {}) {
    super(opts);
    const w = new Writable(opts);
    this._writableState = w._writableState;
    if (typeof opts.write === "function") this._write = opts.write;
    if (typeof opts.writev === "function") this._writev = opts.writev;
    if (typeof opts.final === "function") this._final = opts.final;
    this.allowHalfOpen = opts.allowHalfOpen !== false;
    if (!this.allowHalfOpen) this.once("end", () => this.end());
  }
}
for (const name of ["write", "end", "cork", "uncork", "setDefaultEncoding", "_write"]) {
  Object.defineProperty(Duplex.prototype, name, Object.getOwnPropertyDescriptor(Writable.prototype, name));
}
for (const name of ["writable", "writableEnded", "writableFinished", "writableLength", "writableHighWaterMark", "writableObjectMode", "writableCorked", "writableNeedDrain"]) {
  Object.defineProperty(Duplex.prototype, name, Object.getOwnPropertyDescriptor(Writable.prototype, name));
}

export class Transform extends Duplex {
  constructor(opts = {}) {
    super(opts);
    if (typeof opts.transform === "function") this._transform = opts.transform;
    if (typeof opts.flush === "function") this._flush = opts.flush;
  }
  _transform() {
    throw notImplemented("_transform()");
  }
  _write(chunk, encoding, cb) {
    this._transform(chunk, encoding, (err, data) => {
      if (err) return cb(err);
      if (data !== undefined && data !== null) this.push(data);
      cb();
    });
  }
  _final(cb) {
    const end = (err, data) => {
      if (err) return cb(err);
      if (data !== undefined && data !== null) this.push(data);
      this.push(null);
      cb();
    };
    if (typeof this._flush === "function") this._flush(end);
    else end();
  }
  _read() {}
}

export class PassThrough extends Transform {
  _transform(chunk, encoding, cb) {
    cb(null, chunk);
  }
}

export function finished(stream, opts, cb) {
  if (typeof opts === "function") {
    cb = opts;
    opts = {};
  }
  let done = false;
  const once = (err) => {
    if (done) return;
    done = true;
    cleanup();
    cb(err);
  };
  const rs = stream._readableState;
  const ws = stream._writableState;
  const onEnd = () => {
    if (!ws || ws.finished || opts.writable === false) once();
  };
  const onFinish = () => {
    if (!rs || rs.endEmitted || opts.readable === false) once();
  };
  const onError = (e) => once(e);
  const onClose = () => {
    if ((rs && !rs.endEmitted && opts.readable !== false) || (ws && !ws.finished && opts.writable !== false)) {
      const err = new Error("Premature close");
      err.code = "ERR_STREAM_PREMATURE_CLOSE";
      once(err);
    } else once();
  };
  stream.on("end", onEnd);
  stream.on("finish", onFinish);
  stream.on("error", onError);
  stream.on("close", onClose);
  function cleanup() {
    stream.off("end", onEnd);
    stream.off("finish", onFinish);
    stream.off("error", onError);
    stream.off("close", onClose);
  }
  if (rs?.endEmitted && (!ws || ws.finished)) nextTick(once);
  return cleanup;
}

export function pipeline(...streams) {
  const cb = typeof streams[streams.length - 1] === "function" ? streams.pop() : () => {};
  if (streams.length === 1 && Array.isArray(streams[0])) streams = streams[0];
  streams = streams.map((s, i) => (i === 0 && !(s instanceof EventEmitter) && (s[Symbol.asyncIterator] || s[Symbol.iterator]) ? Readable.from(s) : s));
  let called = false;
  const done = (err) => {
    if (called) return;
    called = true;
    if (err) for (const s of streams) s.destroy?.(err);
    cb(err);
  };
  for (let i = 0; i < streams.length - 1; i++) streams[i].pipe(streams[i + 1]);
  streams.forEach((s, i) => finished(s, i < streams.length - 1 ? { writable: false } : {}, (err) => (err || i === streams.length - 1 ? done(err) : undefined)));
  return streams[streams.length - 1];
}

export const promises = {
  pipeline: (...streams) => new Promise((resolve, reject) => pipeline(...streams, (err) => (err ? reject(err) : resolve()))),
  finished: (stream, opts) => new Promise((resolve, reject) => finished(stream, opts, (err) => (err ? reject(err) : resolve()))),
};

export function isReadable(s) {
  return Boolean(s?._readableState) && s.readable;
}

export function isErrored(s) {
  return Boolean((s?._readableState ?? s?._writableState)?.errored);
}

export function addAbortSignal(signal, stream) {
  const onAbort = () => stream.destroy(Object.assign(new Error("The operation was aborted"), { name: "AbortError", code: "ABORT_ERR" }));
  if (signal.aborted) onAbort();
  else signal.addEventListener("abort", onAbort, { once: true });
  return stream;
}

Stream.Stream = Stream;
Stream.Readable = Readable;
Stream.Writable = Writable;
Stream.Duplex = Duplex;
Stream.Transform = Transform;
Stream.PassThrough = PassThrough;
Stream.pipeline = pipeline;
Stream.finished = finished;
Stream.promises = promises;
Stream.addAbortSignal = addAbortSignal;
Stream.isReadable = isReadable;
Stream.isErrored = isErrored;
