// node:path: posix from the npm `path-browserify` package (node's posix path),
// win32 from the npm `path` package (node's, of v0.12: older edge cases).

import posix from "path-browserify/index.js";
import legacy from "path/path.js";

const win32 = legacy.win32;
posix.toNamespacedPath = (p) => p;
win32.toNamespacedPath = win32._makeLong;
posix.posix = win32.posix = posix;
posix.win32 = win32.win32 = win32;

export { posix, win32 };
