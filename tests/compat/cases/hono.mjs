// hono's context storage keeps the request's context in an AsyncLocalStorage
import { Hono } from "hono";
import { contextStorage, getContext } from "hono/context-storage";
const app = new Hono();
app.use(contextStorage());
app.use(async (c, next) => {
  c.set("user", c.req.header("x-user") ?? "anon");
  await next();
  c.header("x-took", "0");
});
const whoami = () => getContext().var.user;
app.get("/hello/:name", (c) => c.json({ hi: c.req.param("name"), user: whoami(), q: c.req.query("q") }));
app.post("/echo", async (c) => c.text(`${whoami()}:${await c.req.text()}`));
app.notFound((c) => c.text("nope", 404));
for (const [path, init] of [["/hello/ann?q=1", { headers: { "x-user": "bob" } }], ["/echo", { method: "POST", body: "data", headers: { "x-user": "eve" } }], ["/missing", {}]]) {
  const res = await app.request(path, init);
  console.log(res.status, res.headers.get("x-took"), await res.text());
}
