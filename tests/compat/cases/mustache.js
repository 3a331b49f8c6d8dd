const Mustache = require("mustache");
console.log(Mustache.render("Hello {{name}}! {{#items}}[{{.}}]{{/items}}{{^empty}} nothing{{/empty}} {{{html}}} {{html}}", { name: "Ann", items: [1, 2], empty: [], html: "<i>x</i>" }));
console.log(Mustache.render("{{>p}} {{#fn}}text{{/fn}}", { fn: () => (text, render) => render(text).toUpperCase() }, { p: "partial {{name}}" }));
console.log(JSON.stringify(Mustache.parse("a {{b}} {{#c}}d{{/c}}")));
