// process.stdin: a Readable fed by the host's stdin stream (STDIN_STREAM).
// Like node's, it keeps the process alive only while it is being read:
// pausing it ends the host operation, resuming starts another.

import { OP } from "../abi.js";
import { host } from "./host.js";
import { onDelivery } from "./async.js";
import { Readable } from "./stream.js";
import { notSupported } from "./errors.js";

class Stdin extends Readable {
  constructor(isTTY) {
    super({ highWaterMark: 65536 });
    this.fd = 0;
    this.isTTY = isTTY;
    this._id = 0; // the host operation while reading
  }

  _read() {
    if (this._id) return;
    const id = (this._id = host(OP.STDIN_STREAM, "start"));
    onDelivery(id, (kind, _str, bytes) => {
      if (kind === "data") this.push(bytes);
      else if (kind === "end") {
        this._id = 0;
        this.push(null);
      }
    });
  }

  pause() {
    super.pause();
    this._stop();
    return this;
  }

  _destroy(err, cb) {
    this._stop();
    cb(err);
  }

  _stop() {
    if (!this._id) return;
    this._id = 0;
    this._readableState.reading = false;
    host(OP.STDIN_STREAM, "pause");
  }

  setRawMode() {
    throw notSupported("process.stdin.setRawMode");
  }

  ref() {
    return this;
  }

  unref() {
    return this;
  }
}

export function createStdin(isTTY) {
  return new Stdin(isTTY);
}
