import * as prettier from "prettier/standalone";
import * as babel from "prettier/plugins/babel";
import * as estree from "prettier/plugins/estree";
import * as markdown from "prettier/plugins/markdown";
const code = "const  x = {a:1,b:[1,2,3],  c: function(){return   'str'}} ; if(x){console.log( x )}";
console.log(await prettier.format(code, { parser: "babel", plugins: [babel, estree] }));
console.log(await prettier.format(code, { parser: "babel", plugins: [babel, estree], semi: false, singleQuote: true, tabWidth: 4 }));
console.log(await prettier.format("#  Title\n*  a\n*  b\n", { parser: "markdown", plugins: [markdown] }));
try {
  await prettier.format("const = ;", { parser: "babel", plugins: [babel, estree] });
} catch (e) {
  console.log(e.name, e.message.split("\n")[0]);
}
