// hono's contextStorage middleware: the request's context in an AsyncLocalStorage, read after awaits in concurrent requests
import { Hono } from "hono";
import { contextStorage, getContext } from "hono/context-storage";
const app = new Hono();
app.use(contextStorage());
app.use(async (c, next) => { c.set("user", c.req.query("u")); await next(); });
const whoami = async () => { await new Promise((r) => setTimeout(r, Number(getContext().var.user.length))); return getContext().var.user; };
app.get("/", async (c) => { await null; const w = await whoami(); return c.text(`hello ${w} ${getContext().req.path}`); });
const rs = await Promise.all(["ann", "bo", "cyrille"].map((u) => app.request(`/?u=${u}`).then((r) => r.text())));
console.log(rs);
