// Host operations that finish later (child processes, fetch): the host
// answers the starting call with an id, then delivers messages for it
// through the `deliver` entry point (see wasm/ABI.md).

const handlers = new Map();

/** node:async_hooks sets `bind` (a receiver runs in the context it was registered in) once an AsyncLocalStorage exists. */
export const context = { bind: (f) => f };

/** Register the receiver of deliveries for `id`; it is dropped after the final one. */
export function onDelivery(id, handler) {
  handlers.set(id, context.bind(handler));
}

/** Entry point: one message for an operation. */
export function deliver(id, kind, str, bytes, final) {
  const h = handlers.get(id);
  if (final) handlers.delete(id);
  h?.(kind, str, bytes);
}
