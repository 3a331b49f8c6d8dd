// The async context: which store each AsyncLocalStorage holds now. A frame is
// a Map (AsyncLocalStorage -> store), never mutated: a change makes a new one.
// Modules are compiled with each `await` saving the frame before it suspends
// and restoring it when it resumes (internal/sandbox/async-context.ts), through
// the two globals defined here; node:async_hooks carries it through callbacks.

let frame = new Map();

export function current() {
  return frame;
}

export function enter(next) {
  frame = next;
}

/** The globals awaits are compiled to call: cheap, since every await pays them whether or not a store exists. */
export function installAwaitContext(g) {
  const define = (name, value) => Object.defineProperty(g, name, { value, writable: false, enumerable: false, configurable: false });
  define("__edgebox_context", () => frame);
  define("__edgebox_resume", (saved, value) => {
    frame = saved;
    return value;
  });
}
