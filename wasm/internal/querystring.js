// node:querystring.

// (node's leaves ! ' ( ) * as they are, as encodeURIComponent does)
function qsEscape(str) {
  return encodeURIComponent(str);
}

function qsUnescape(str) {
  try {
    return decodeURIComponent(str);
  } catch {
    return str.replace(/%([0-9a-fA-F]{2})/g, (m, h) => String.fromCharCode(Number.parseInt(h, 16)));
  }
}

function stringifyPrimitive(v) {
  if (typeof v === "string") return v;
  if ((typeof v === "number" && Number.isFinite(v)) || typeof v === "bigint" || typeof v === "boolean") return String(v);
  return "";
}

export function stringify(obj, sep = "&", eq = "=", options) {
  const encode = options?.encodeURIComponent ?? qsEscape;
  if (obj === null || typeof obj !== "object") return "";
  const parts = [];
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    const ks = encode(stringifyPrimitive(k)) + eq;
    if (Array.isArray(v)) for (const item of v) parts.push(ks + encode(stringifyPrimitive(item)));
    else parts.push(ks + encode(stringifyPrimitive(v)));
  }
  return parts.join(sep);
}

export function parse(qs, sep = "&", eq = "=", options) {
  const decode = options?.decodeURIComponent ?? qsUnescape;
  const max = options?.maxKeys ?? 1000;
  const out = Object.create(null);
  if (typeof qs !== "string" || qs.length === 0) return out;
  let parts = qs.split(sep);
  if (max > 0) parts = parts.slice(0, max);
  for (const part of parts) {
    if (part === "") continue;
    const i = part.indexOf(eq);
    const k = decode((i >= 0 ? part.slice(0, i) : part).replace(/\+/g, " "));
    const v = i >= 0 ? decode(part.slice(i + eq.length).replace(/\+/g, " ")) : "";
    if (k in out) {
      if (Array.isArray(out[k])) out[k].push(v);
      else out[k] = [out[k], v];
    } else out[k] = v;
  }
  return out;
}

export { qsEscape as escape, qsUnescape as unescape, stringify as encode, parse as decode };
