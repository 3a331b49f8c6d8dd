// QuickJS-NG applies the `v` flag's class-set syntax outside character
// classes too: it rejects /-/v, /a-b/v, /;;/v, /&&/v, which are valid and
// mean the literal characters. This rewrites such a pattern into the same
// language with those characters escaped (\x2d...), which QuickJS accepts.
// Shared by the guest (new RegExp at run time) and the host (regular
// expression literals, when a module fails to compile).

/** Punctuators that, doubled, are reserved inside a v-mode class (and wrongly outside one by QuickJS). */
const DOUBLED = "&!#%,:;<=>@`~";

const hex = (c) => "\\x" + c.charCodeAt(0).toString(16).padStart(2, "0");

/** The index just past the `close` that ends the run starting at `i`, or the end. */
function through(p, i, close) {
  const j = p.indexOf(close, i);
  return j < 0 ? p.length : j + 1;
}

/** `pattern` (of a regular expression with the v flag) with the literal characters QuickJS rejects outside classes escaped. */
export function rewriteV(pattern) {
  let out = "";
  let i = 0;
  const n = pattern.length;
  while (i < n) {
    const c = pattern[i];
    let end = i + 1;
    if (c === "\\") {
      const e = pattern[i + 1];
      end = i + 2;
      if (e === "k" && pattern[end] === "<") end = through(pattern, end, ">");
      else if ((e === "p" || e === "P" || e === "u") && pattern[end] === "{") end = through(pattern, end, "}");
    } else if (c === "[") {
      // a class, nested classes and \q{...} included: copied as is
      let depth = 0;
      for (end = i; end < n; end++) {
        const d = pattern[end];
        if (d === "\\") end++;
        else if (d === "[") depth++;
        else if (d === "]" && --depth === 0) break;
      }
      end = Math.min(end + 1, n);
    } else if (c === "(" && pattern[i + 1] === "?") {
      const k = pattern[i + 2];
      if (k === "<" && pattern[i + 3] !== "=" && pattern[i + 3] !== "!") end = through(pattern, i + 3, ">");
      else if (k === "<") end = i + 4;
      else if (k === "=" || k === "!" || k === ":") end = i + 3;
      else end = through(pattern, i + 2, ":"); // modifiers: (?i:...), (?-s:...)
    } else if (c === "{") {
      end = through(pattern, i + 1, "}");
    } else if (c === "-" || (DOUBLED.includes(c) && pattern[i + 1] === c)) {
      out += hex(c);
      i++;
      continue;
    }
    out += pattern.slice(i, end);
    i = end;
  }
  return out;
}

/**
 * Make `new RegExp(source, flags)` accept what QuickJS wrongly rejects with the v flag:
 * on a SyntaxError, the rewritten pattern is tried. The global RegExp becomes a proxy of
 * the engine's (the same prototype, statics and species; regular expression literals'
 * constructor is the proxy).
 */
export function installRegExpV(g) {
  const Original = g.RegExp;
  const retry = (args, make) => {
    try {
      return make(args);
    } catch (err) {
      const [source, flags] = args;
      if (!(err instanceof SyntaxError) || typeof flags !== "string" || !flags.includes("v")) throw err;
      const text = typeof source === "string" ? source : source instanceof Original ? source.source : String(source);
      const rewritten = rewriteV(text);
      if (rewritten === text) throw err;
      return make([rewritten, flags]);
    }
  };
  const proxy = new Proxy(Original, {
    construct: (target, args, newTarget) => retry(args, (a) => Reflect.construct(target, a, newTarget === proxy ? target : newTarget)),
    apply: (target, thisArg, args) => retry(args, (a) => Reflect.apply(target, thisArg, a)),
  });
  Object.defineProperty(Original.prototype, "constructor", { value: proxy, writable: true, enumerable: false, configurable: true });
  Object.defineProperty(g, "RegExp", { value: proxy, writable: true, enumerable: false, configurable: true });
}
