// What the npm `url` package gets for its `require("qs")`: node's querystring,
// as node's own url.parse(str, true) uses (arrays repeat their key, as the
// package asks of qs with arrayFormat "repeat").

import * as querystring from "./querystring.js";

export function parse(str) {
  return querystring.parse(str);
}

export function stringify(obj) {
  return querystring.stringify(obj);
}
