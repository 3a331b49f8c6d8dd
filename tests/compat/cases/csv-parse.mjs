import { parse } from "csv-parse/sync";
import { parse as parseStream } from "csv-parse";
const input = 'name,age,note\n"Smith, J",42,"said ""hi"""\nDoe,7,\n';
console.log(parse(input, { columns: true, skip_empty_lines: true, cast: true }));
console.log(parse("a;b\n1;2", { delimiter: ";" }));
const rows = [];
const p = parseStream({ columns: true });
p.on("readable", () => {
  let r;
  while ((r = p.read()) !== null) rows.push(r);
});
p.on("end", () => console.log("stream", rows));
p.write("x,y\n1,");
p.write("2\n3,4\n");
p.end();
try {
  parse('a,b\n"unterminated', {});
} catch (e) {
  console.log(e.code);
}
