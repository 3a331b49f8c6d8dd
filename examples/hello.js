// The demo: runs inside the sandbox, with no access to files, env or network.
const who = process.argv[2] ?? "world";
console.log(`Hello, ${who}! from ${process.platform}/${process.arch} inside EdgeBox`);
console.log({ sandboxed: true, env: process.env, answer: 6 * 7, list: [1, 2, 3] });
