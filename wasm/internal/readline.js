// node:readline and node:readline/promises: line reading from a stream
// (process.stdin, usually). The guest has no terminal, so this is node's
// non-terminal mode: no line editing, history or keypress events.

import { EventEmitter } from "./events.js";
import { StringDecoder } from "string_decoder";
import { ERR_INVALID_ARG_TYPE, notSupported } from "./errors.js";

const kLines = /\r\n|\n|\r/;

export class Interface extends EventEmitter {
  constructor(input, output, completer, terminal) {
    super();
    const opts = input?.input !== undefined ? input : { input, output, completer, terminal };
    if (!opts.input || typeof opts.input.on !== "function") throw new ERR_INVALID_ARG_TYPE("input", "a readable stream", opts.input);
    this.input = opts.input;
    this.output = opts.output;
    this.terminal = false;
    this.line = "";
    this.cursor = 0;
    this.closed = false;
    this.crlfDelay = Math.max(100, opts.crlfDelay ?? 100);
    this._prompt = opts.prompt ?? "> ";
    this._decoder = new StringDecoder("utf8");
    this._pending = ""; // text after the last line break
    this._questions = [];
    this._paused = false;
    this._ondata = (chunk) => this._feed(typeof chunk === "string" ? chunk : this._decoder.write(chunk));
    this._onend = () => {
      const rest = this._pending + this._decoder.end();
      this._pending = "";
      if (rest.length > 0) this._online(rest);
      this.close();
    };
    this.input.on("data", this._ondata);
    this.input.on("end", this._onend);
    if (opts.signal) {
      if (opts.signal.aborted) queueMicrotask(() => this.close());
      else opts.signal.addEventListener("abort", () => this.close(), { once: true });
    }
    this.input.resume?.();
  }

  _feed(text) {
    let s = this._pending + text;
    // a \r at the very end may be the first half of \r\n: wait for the next chunk
    let held = "";
    if (s.endsWith("\r")) {
      held = "\r";
      s = s.slice(0, -1);
    }
    const parts = s.split(kLines);
    this._pending = parts.pop() + held;
    for (const line of parts) {
      if (this.closed) return;
      this._online(line);
    }
  }

  _online(line) {
    const q = this._questions.shift();
    if (q) q(line);
    else this.emit("line", line);
  }

  setPrompt(prompt) {
    this._prompt = String(prompt);
  }

  getPrompt() {
    return this._prompt;
  }

  prompt() {
    if (this.closed) throw closedError();
    if (this._paused) this.resume();
    this.output?.write(this._prompt);
  }

  question(query, options, cb) {
    if (typeof options === "function") cb = options;
    if (this.closed) throw closedError();
    if (typeof cb !== "function") return;
    this.output?.write(String(query));
    this._questions.push(cb);
    if (this._paused) this.resume();
  }

  write(data) {
    if (this.closed) throw closedError();
    if (typeof data === "string") this._feed(data);
  }

  pause() {
    if (this._paused) return this;
    this._paused = true;
    this.input.pause?.();
    this.emit("pause");
    return this;
  }

  resume() {
    if (!this._paused) return this;
    this._paused = false;
    this.input.resume?.();
    this.emit("resume");
    return this;
  }

  close() {
    if (this.closed) return;
    this.pause();
    this.closed = true;
    this.input.removeListener("data", this._ondata);
    this.input.removeListener("end", this._onend);
    this.emit("close");
  }

  getCursorPos() {
    return { rows: 0, cols: this.cursor };
  }

  [Symbol.asyncIterator]() {
    const queue = [];
    const waiting = [];
    let done = false;
    const onLine = (line) => {
      const w = waiting.shift();
      if (w) w({ value: line, done: false });
      else {
        queue.push(line);
        if (queue.length > 1024) this.pause(); // let the reader catch up
      }
    };
    const onClose = () => {
      done = true;
      for (const w of waiting.splice(0)) w({ value: undefined, done: true });
    };
    this.on("line", onLine);
    this.on("close", onClose);
    const cleanup = () => {
      this.off("line", onLine);
      this.off("close", onClose);
    };
    return {
      next: () => {
        if (queue.length > 0) {
          const value = queue.shift();
          if (queue.length === 0 && this._paused && !this.closed) this.resume();
          return Promise.resolve({ value, done: false });
        }
        if (done) {
          cleanup();
          return Promise.resolve({ value: undefined, done: true });
        }
        return new Promise((resolve) => waiting.push(resolve));
      },
      return: () => {
        cleanup();
        this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }
}

function closedError() {
  const err = new Error("readline was closed");
  err.code = "ERR_USE_AFTER_CLOSE";
  return err;
}

export function createInterface(input, output, completer, terminal) {
  return new Interface(input, output, completer, terminal);
}

// Terminal control: node writes these escape sequences to the stream, and so do we.
export function clearLine(stream, dir, cb) {
  stream.write(dir < 0 ? "\x1b[1K" : dir > 0 ? "\x1b[0K" : "\x1b[2K", cb);
  return true;
}
export function clearScreenDown(stream, cb) {
  stream.write("\x1b[0J", cb);
  return true;
}
export function cursorTo(stream, x, y, cb) {
  if (typeof y === "function") [y, cb] = [undefined, y];
  stream.write(typeof y !== "number" ? `\x1b[${x + 1}G` : `\x1b[${y + 1};${x + 1}H`, cb);
  return true;
}
export function moveCursor(stream, dx, dy, cb) {
  let s = "";
  if (dx < 0) s += `\x1b[${-dx}D`;
  else if (dx > 0) s += `\x1b[${dx}C`;
  if (dy < 0) s += `\x1b[${-dy}A`;
  else if (dy > 0) s += `\x1b[${dy}B`;
  stream.write(s, cb);
  return true;
}
export function emitKeypressEvents() {
  throw notSupported("readline.emitKeypressEvents (the sandbox has no terminal)");
}

/** readline/promises: question() returns a promise. */
class PromisesInterface extends Interface {
  question(query, options) {
    return new Promise((resolve, reject) => {
      const signal = options?.signal;
      if (signal?.aborted) {
        const err = new Error("The operation was aborted");
        err.name = "AbortError";
        err.code = "ABORT_ERR";
        return reject(err);
      }
      super.question(query, resolve);
    });
  }
}

export const promises = {
  Interface: PromisesInterface,
  createInterface: (input, output, completer, terminal) => new PromisesInterface(input, output, completer, terminal),
};
