// The host side of the guest/host ABI (wasm/ABI.md): one table from op code
// to handler. Every handler that touches the outside world asks the policy
// first; the ones here only touch the process's own stdio.

import { OP, OP_NAMES } from "../../wasm/abi.js";
import { HostError, type HostReply } from "../engine/quickjs.ts";
import { writeTo, type Sink } from "./stdio.ts";

export interface HostContext {
  stdout: Sink;
  stderr: Sink;
  /** The guest called process.exit(code): record it and stop the guest. */
  exit(code: number): void;
}

type Handler = (ctx: HostContext, str: string | undefined, bytes: Uint8Array | undefined) => HostReply;

const handlers: Record<number, Handler> = {
  [OP.STDOUT]: (ctx, str, bytes) => writeTo(ctx.stdout, str, bytes),
  [OP.STDERR]: (ctx, str, bytes) => writeTo(ctx.stderr, str, bytes),
  [OP.EXIT]: (ctx, str) => {
    const code = Number(str);
    ctx.exit(Number.isInteger(code) ? code & 0xff : 1);
    return undefined;
  },
};

export function dispatch(ctx: HostContext, op: number, str: string | undefined, bytes: Uint8Array | undefined): HostReply {
  const handler = handlers[op];
  if (!handler) {
    return new HostError({ code: "ERR_UNKNOWN_HOST_CALL", message: `unknown host call ${op}${OP_NAMES[op] ? ` (${OP_NAMES[op]})` : ""}` });
  }
  return handler(ctx, str, bytes);
}
