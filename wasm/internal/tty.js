// node:tty.

import { process } from "./process.js";
import { notSupported } from "./errors.js";

export function isatty(fd) {
  if (fd === 1) return process.stdout.isTTY === true;
  if (fd === 2) return process.stderr.isTTY === true;
  if (fd === 0) return process.stdin?.isTTY === true;
  return false;
}

function notInSandbox(name) {
  return class {
    constructor() {
      throw notSupported(`tty.${name}`);
    }
  };
}

export const ReadStream = notInSandbox("ReadStream");
export const WriteStream = notInSandbox("WriteStream");
