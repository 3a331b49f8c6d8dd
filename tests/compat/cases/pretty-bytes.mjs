// pretty-bytes formats with Number#toLocaleString when given a locale
import prettyBytes from "pretty-bytes";
console.log(prettyBytes(0), prettyBytes(1337), prettyBytes(100), prettyBytes(-1e9), prettyBytes(1e21));
console.log(prettyBytes(1337, { bits: true }), prettyBytes(1024, { binary: true }), prettyBytes(42, { signed: true }));
console.log(prettyBytes(1234567.891, { locale: "en" }), prettyBytes(1e6, { locale: true }), prettyBytes(1500, { minimumFractionDigits: 3 }), prettyBytes(1999, { maximumFractionDigits: 0 }));
console.log((1234567.891).toLocaleString(), (0.5).toLocaleString("en-US", { style: "percent" }), new Intl.NumberFormat("en-US", { style: "currency", currency: "EUR" }).format(-3.5));
