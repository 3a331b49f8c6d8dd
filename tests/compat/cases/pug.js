const pug = require("pug");
const fn = pug.compile(`doctype html
html
  head
    title= title
  body
    h1.title#main Hello #{name}
    ul
      each item, i in items
        li(class=i % 2 ? "odd" : "even")= item
    if admin
      p.admin Admin
    else
      p Guest
    - const n = items.length
    p= "count " + n
    a(href="/x?a=1&b=2") link`, { pretty: false });
console.log(fn({ title: "T", name: "<World>", items: ["a", "b", "c"], admin: false }));
try { pug.compile("div\n  p(")(); } catch (e) { console.log(e.code); }
