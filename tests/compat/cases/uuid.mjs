import { v4, v5, v7, validate, version, parse, stringify, NIL } from "uuid";
const ns = "1b671a64-40d5-491e-99b0-da01ff1f3341";
console.log(v5("hello", ns), v5("https://example.com", v5.URL));
const r = v4();
console.log(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(r), validate(r), version(r), v4() !== r);
console.log(version(v7()), stringify(parse(ns)) === ns, NIL, validate("nope"));
