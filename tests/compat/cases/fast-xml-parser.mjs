import { XMLParser, XMLBuilder, XMLValidator } from "fast-xml-parser";
const xml = `<?xml version="1.0"?><catalog><book id="b1" lang="en"><title>Dune</title><price>9.99</price><tags><tag>sf</tag><tag>classic</tag></tags></book><book id="b2"><title><![CDATA[A & B]]></title><price>5</price></book></catalog>`;
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@_", cdataPropName: "__cdata" });
const obj = parser.parse(xml);
console.log(JSON.stringify(obj));
console.log(new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: "@_", format: true }).build({ root: { "@_v": "1", item: ["x", "y"], empty: "" } }));
console.log(JSON.stringify(XMLValidator.validate("<a><b></a>")));
