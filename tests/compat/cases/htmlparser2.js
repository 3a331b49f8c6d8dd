const { Parser, parseDocument, DomUtils } = require("htmlparser2");
const events = [];
const parser = new Parser({
  onopentag: (name, attrs) => events.push(`open:${name}:${JSON.stringify(attrs)}`),
  ontext: (t) => t.trim() && events.push(`text:${t.trim()}`),
  onclosetag: (name) => events.push(`close:${name}`),
  oncomment: (c) => events.push(`comment:${c}`),
});
parser.write("<div id=a class='x y'>Hello <b>world</b><!-- note --><br><img src=x.png>&amp; &lt;ok&gt;</div>");
parser.end();
console.log(events.join("\n"));
const doc = parseDocument("<ul><li>1</li><li class=k>2</li><li>3</li></ul><p>para</p>");
console.log(DomUtils.getElementsByTagName("li", doc).map((e) => DomUtils.textContent(e)).join(","), DomUtils.findAll((e) => e.attribs?.class === "k", doc.children).length);
