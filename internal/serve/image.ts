// The server's image: the app's module scope evaluated once, at start, and
// the guest's memory at that moment made the initial memory of a module that
// every request instantiates afresh (copy-on-write). Nothing a request does
// survives it; what the module scope set up is there for each.

import { GuestException } from "../engine/quickjs.ts";
import { relinkOnly, type SideModule, type Placement } from "../engine/dylink.ts";
import { contentHash } from "../engine/cache.ts";
import { loadModule } from "../engine/index.ts";
import type { WasmModule } from "../engine/types.ts";
import { NativeEngine } from "../engine/native.ts";
import { preinitialize } from "../build/snapshot.ts";
import { UserError } from "../errors.ts";
import { RunError, Sandbox, type SandboxOptions } from "../sandbox/index.ts";
import { NetLimits } from "../hostcalls/net.ts";
import type { prepareApp } from "../sandbox/run.ts";
import { intlMembersNamed } from "../build/intl.ts";

export interface ServerImage {
  /** Options for each request's sandbox: the image's module, snapshot and side modules. */
  sandbox: SandboxOptions;
  /** The handler object's handle (export default { fetch }) inside the image. */
  handler: number;
  /** Time to evaluate the module scope and compile the image, ms. */
  startupMs: number;
}

/**
 * URL (nearly every handler parses request.url) is linked into the image; other extensions link
 * on first use in a request. Unless the app's module scope touched URL, a request links it again
 * only when its code first does (a handler that never parses a URL skips that cost).
 */
const IMAGE_EXTENSIONS = ["url"] as const;

/** The entry points every request calls (request.ts). */
const REQUEST_ENTRIES = ["serve"];

export async function buildImage(app: Awaited<ReturnType<typeof prepareApp>>, warn: (m: string) => void, prepareIntl = true): Promise<ServerImage> {
  const t0 = performance.now();
  const sb = new Sandbox({ ...app.sandbox, timeoutMs: app.sandbox.timeoutMs || 30_000 });
  let handler: number;
  let deferred: string[];
  // (Intl prepared is a gain, never a cause to refuse to serve: where preparing it fails, the image is made again without it)
  let warming = false;
  try {
    sb.boot();
    const exports = app.built ? await sb.evaluateBuilt(app.built.app, app.built.prerun) : await sb.evaluateMain(app.file);
    handler = sb.callEntry("findHandler", [exports]);
    sb.guest.free(exports);
    deferred = sb.linkDeferred(IMAGE_EXTENSIONS);
    warming = prepareIntl;
    if (prepareIntl) for (const member of intlMembersNamed(sb.sources.values())) sb.notify("warmIntl", member);
    warming = false;
    if (!sb.idle) throw new UserError("E_SERVE", `${app.file}: its module scope leaves work pending (an open file, a child process or a fetch); a server's module scope must finish setting up before requests`);
  } catch (err) {
    // (the guest's error is read before the guest is disposed of)
    const text = err instanceof GuestException ? sb.formatError(err.handle, false).trim() : undefined;
    sb.dispose();
    if (warming) {
      warn(`preparing Intl in the image failed (${text?.split("\n")[0] ?? (err as Error).message}); the module scope runs again for an image without it, whose requests load Intl on first use`);
      return buildImage(app, warn, false);
    }
    if (err instanceof UserError) throw err;
    if (text !== undefined) {
      const noHandler = /the app has no fetch handler[^\]\n]*/.exec(text);
      throw new UserError("E_SERVE", noHandler ? `${app.file}: ${noHandler[0]}` : `${app.file} failed while starting:\n${text}`);
    }
    if (err instanceof RunError) throw new UserError("E_SERVE", `${app.file}: ${err.message}`);
    throw err;
  }
  // (handles of the entry points a request calls, in the image: a call needs no lookup of them)
  const methods = Object.fromEntries(REQUEST_ENTRIES.map((name) => [name, sb.guest.getProp(sb.entryObject, name)]));
  // (where each request's seed is written: internal/sandbox/binding.ts)
  const seedH = sb.callEntry("hostSeedBuffer", []);
  const seedAt = sb.guest.bufferAddress(seedH);
  sb.guest.free(seedH);
  if (!seedAt) throw new Error("the runtime has no seed buffer for requests");
  const cap = sb.capture();
  const sourceMaps = sb.sourceMaps;
  sb.dispose();
  const engine = app.choice.engine;
  // Each image differs (its memory holds this start's state): compiled once per start, not cached.
  // Where the engine keeps memory slots, the module has no data: its memory is the slot (reset page by page).
  let module: WasmModule | undefined;
  // (every side module, lazy ones too, has its slots in the table a request's instance starts with)
  const tableSize = Math.max(0, ...cap.linked.map((p) => p.tableEnd ?? 0));
  if (engine instanceof NativeEngine && engine.slotsAvailable) {
    module = engine.compile(preinitialize(app.baseWasm(), cap.memory, cap.stackPointer, false, tableSize));
    try {
      engine.setMemoryImage(module, cap.memory);
    } catch (err) {
      // (a memfd the kernel would not make or seal): the image in data segments, as elsewhere
      warn(`${(err as Error).message}: each request's memory is copied from the image instead`);
      module = undefined;
    }
  }
  module ??= engine.compile(preinitialize(app.baseWasm(), cap.memory, cap.stackPointer, true, tableSize));

  // The side modules, to link again at the places the image has them: their variants that
  // write nothing (the image's memory holds their data and state), so a request copies none of it.
  const sides: (SideModule & { placement: Placement })[] = cap.linked.map((placement) => {
    const ext = app.sandbox.extensions.find((e) => e.name === placement.name);
    const builtSide = app.built?.sides.find((s) => s.name === placement.name);
    const info = ext?.info ?? builtSide;
    const bytes = ext?.bytes() ?? builtSide?.source.bytes();
    if (!info || !bytes) throw new Error(`unknown side module ${placement.name} in the server image`);
    const variant = relinkOnly(bytes);
    const module = loadModule(app.choice, { name: `${placement.name}-relink`, hash: contentHash(variant), bytes: () => variant }, { warn });
    // (a bundled extension keeps nothing outside memory: a recycled instance keeps it linked; a built app's
    // frozen code has a global of its own, so an instance that linked it is not recycled)
    return { name: placement.name, module, dylink: info.dylink, defines: info.defines, initFn: ext?.initFn ?? builtSide!.initFn, placement, writesNothing: true, lazy: deferred.includes(placement.name), keep: ext !== undefined };
  });
  if (!(engine instanceof NativeEngine)) warn("serving on the js engine: requests are much slower, and time limits cannot stop frozen code");
  return {
    sandbox: { ...app.sandbox, module, snapshot: { ctx: cap.ctx, scratch: cap.scratch, stack: cap.stack, limits: cap.limits, entry: sb.entryObject, methods, seedAt }, sides, started: true, workerStart: { module: app.sandbox.module, snapshot: app.sandbox.snapshot, sides: app.sandbox.sides }, bytecodeCache: undefined, sourceMaps, netLimits: new NetLimits(app.policy) },
    handler,
    startupMs: performance.now() - t0,
  };
}
