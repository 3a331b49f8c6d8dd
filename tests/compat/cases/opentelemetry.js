// OpenTelemetry's context manager for node is an AsyncLocalStorage
const api = require("@opentelemetry/api");
const { AsyncLocalStorageContextManager } = require("@opentelemetry/context-async-hooks");
api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const KEY = api.createContextKey("request-id");
const seen = [];
api.context.with(api.context.active().setValue(KEY, "req-1"), () => {
  seen.push(["sync", api.context.active().getValue(KEY)]);
  setTimeout(() => {
    seen.push(["timer", api.context.active().getValue(KEY)]);
    Promise.resolve().then(() => seen.push(["then", api.context.active().getValue(KEY)]));
  }, 1);
  process.nextTick(() => seen.push(["tick", api.context.active().getValue(KEY)]));
});
const bound = api.context.bind(api.context.active().setValue(KEY, "bound"), () => api.context.active().getValue(KEY));
setTimeout(() => console.log(JSON.stringify(seen), bound(), api.context.active().getValue(KEY) ?? "none"), 20);
