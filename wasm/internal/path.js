// node:path: posix from the npm `path-browserify` package (node's posix path),
// win32 from the npm `path` package (node's, of v0.12: older edge cases), loaded
// when first used.

import posix from "path-browserify/index.js";

let win32;
function getWin32() {
  if (win32) return win32;
  win32 = require("path/path.js").win32;
  win32.toNamespacedPath = win32._makeLong;
  win32.posix = posix;
  win32.win32 = win32;
  return win32;
}

posix.toNamespacedPath = (p) => p;
posix.posix = posix;
Object.defineProperty(posix, "win32", { get: getWin32, enumerable: true, configurable: true });

export { posix };
