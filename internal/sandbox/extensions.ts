// What the guest links or evaluates on first use: native extensions (side
// modules linked into its instance) and Intl's chunks.

import type { HostFunction, WasmModule } from "../engine/types.ts";
import { linkSideModule, type SideModuleInfo } from "../engine/dylink.ts";
import { GuestError } from "../hostcalls/errors.ts";
import type { Sandbox } from "./index.ts";
import { hostTimeZone } from "./timezone.ts";

export interface LazyExtension {
  name: string;
  info: SideModuleInfo;
  initFn: string;
  /** The compiled module, loaded when the guest first needs it. */
  module(): WasmModule;
  /** Its wasm (edgebox serve derives the variant it links per request). */
  bytes(): Uint8Array;
}

/** Link native extensions now (edgebox serve links them before its snapshot, not per request). */
export function linkExtensions(sb: Sandbox, names: readonly string[]): void {
  // through the runtime, which completes what an extension lacks (URL's searchParams)
  for (const n of names) sb.notify("loadExtension", n);
}

/**
 * Imports an extension gets in place of the guest's: structured-clone recurses
 * in C with no stack check (one container allocated per level), so its
 * allocators check the stack and throw QuickJS's RangeError past its limit.
 */
export function extensionOverrides(sb: Sandbox, name: string): Record<string, HostFunction> {
  return name === "structured-clone" ? sb.vm.stackCheckedAllocators(["JS_NewObject", "JS_NewArray"]) : {};
}

export function loadExtension(sb: Sandbox, name: string): void {
  if (sb.linked.some((p) => p.name === name)) return;
  // a side module of the snapshot, at its place there
  const lazy = sb.opts.sides.find((s) => s.lazy && s.name === name);
  if (lazy) {
    sb.linked.push(linkSideModule(sb.vm.instance, lazy, sb.wasi, lazy.placement, extensionOverrides(sb, name)).placement);
    return;
  }
  const ext = sb.opts.extensions.find((e) => e.name === name);
  if (!ext) throw new Error(`no extension named ${name}`);
  const side = { name, module: ext.module(), ...ext.info, initFn: ext.initFn };
  sb.linked.push(linkSideModule(sb.vm.instance, side, sb.wasi, undefined, extensionOverrides(sb, name)).placement);
}

/** Evaluate an Intl chunk in the guest (it fills the Intl object the runtime made; "": none); the host's time zone, node's default. */
export function loadIntl(sb: Sandbox, chunk: string): string {
  if (chunk !== "") {
    const bytes = sb.opts.intl?.(chunk);
    if (!bytes) throw new GuestError({ code: "ERR_NOT_SUPPORTED_IN_SANDBOX", message: `Intl chunk ${chunk} is not in this build` });
    sb.free(sb.vm.evalBytecode(bytes));
    sb.opts.onIntlLoad?.(chunk);
  }
  return hostTimeZone();
}
