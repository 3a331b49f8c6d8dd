const Handlebars = require("handlebars");
Handlebars.registerHelper("upper", (s) => String(s).toUpperCase());
Handlebars.registerPartial("item", "<li>{{name}}{{#if price}} ({{price}}){{/if}}</li>");
const t = Handlebars.compile("<h1>{{upper title}}</h1>\n<ul>{{#each items}}{{> item}}{{else}}none{{/each}}</ul>\n{{{raw}}} {{escaped}} {{#with who}}{{first}} {{../title}}{{/with}}");
console.log(t({ title: "menu", items: [{ name: "tea", price: 2 }, { name: "water" }], raw: "<b>r</b>", escaped: "<b>e</b>", who: { first: "Ann" } }));
try {
  Handlebars.compile("{{#if}}")();
} catch (e) {
  console.log(e.message.split("\n")[0]);
}
