import { Liquid } from "liquidjs";
const engine = new Liquid();
const tpl = `{% assign sorted = products | sort: "price" %}{% for p in sorted %}{{ forloop.index }}:{{ p.title | upcase }}={{ p.price | times: 1.1 | round: 2 }}{% unless forloop.last %}; {% endunless %}{% endfor %}
{{ "now" | size }} {{ "a,b,c" | split: "," | reverse | join: "-" }} {{ 1234.5 | divided_by: 10 }} {{ "<p>" | escape }}
{% case kind %}{% when "x" %}is x{% else %}other{% endcase %} {% capture c %}cap{{ 1 | plus: 2 }}{% endcapture %}{{ c }}`;
console.log(await engine.parseAndRender(tpl, { products: [{ title: "b", price: 20 }, { title: "a", price: 5 }], kind: "y" }));
