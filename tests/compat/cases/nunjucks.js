const nunjucks = require("nunjucks");
const env = new nunjucks.Environment(null, { autoescape: true });
env.addFilter("shout", (s) => String(s).toUpperCase() + "!");
const tpl = `{% set total = 0 %}{% for item in items | sort(attribute="price") %}{{ loop.index }}. {{ item.name | title }}: {{ "%.2f" | replace("%.2f", item.price) }}{% if not loop.last %}, {% endif %}{% endfor %}
{{ greeting | shout }} {{ html }} {{ html | safe }}
{% macro badge(text, kind="info") %}[{{ kind }}:{{ text }}]{% endmacro %}{{ badge("ok") }} {{ badge("bad", "error") }}
{{ items | length }} {{ items | map(attribute="name") | join("/") if false else (items | join(",", "name")) }}`;
console.log(env.renderString(tpl, { items: [{ name: "pear", price: 3 }, { name: "apple", price: 1.5 }], greeting: "hi", html: "<i>x</i>" }));
