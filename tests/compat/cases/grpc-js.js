// @grpc/grpc-js destructures http2.constants when it loads
const grpc = require("@grpc/grpc-js");
const md = new grpc.Metadata();
md.add("x-trace", "abc");
md.add("x-trace", "def");
md.set("bin-bin", Buffer.from([1, 2, 3]));
console.log(JSON.stringify(md.getMap()), md.get("x-trace").join(","), grpc.status.UNAVAILABLE, grpc.status[14]);
console.log(Object.keys(grpc.credentials).sort().join(","), typeof grpc.Server, grpc.connectivityState.READY);
const def = grpc.loadPackageDefinition({});
console.log(JSON.stringify(def));
