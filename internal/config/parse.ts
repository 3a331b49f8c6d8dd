// Policy file text to a plain object, with syntax errors that name the line
// and column (JSON.parse in Bun names neither).

import { UserError } from "../errors.ts";

export function lineCol(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return { line, column: offset - last };
}

/** Offset and reason of the first JSON syntax error in `text`, or undefined when it parses. */
export function findJsonError(text: string): { offset: number; reason: string } | undefined {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const fail = (reason: string): never => {
    throw { offset: i, reason };
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail(`unexpected ${describe(text[i])}`);
  };
  const string = () => {
    i++; // opening quote
    while (i < text.length) {
      const c = text[i]!;
      if (c === '"') {
        i++;
        return;
      }
      if (c === "\\") {
        const e = text[i + 1];
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail("bad \\u escape");
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fail("bad escape in string");
      } else if (c.charCodeAt(0) < 0x20) fail("control character in string (use \\n)");
      else i++;
    }
    fail("unterminated string");
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) fail(`unexpected ${describe(text[i])}`);
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail(text[i] === "}" ? "trailing comma before }" : `expected a "quoted" key, found ${describe(text[i])}`);
        string();
        ws();
        if (text[i] !== ":") fail(`expected ':' after the key, found ${describe(text[i])}`);
        i++;
        value();
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return;
        }
        fail(`expected ',' or '}', found ${describe(text[i])}`);
      }
    } else if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") {
        i++;
        return;
      }
      for (;;) {
        if (text[i] === "]") fail("trailing comma before ]");
        value();
        ws();
        if (text[i] === ",") {
          i++;
          ws();
          continue;
        }
        if (text[i] === "]") {
          i++;
          return;
        }
        fail(`expected ',' or ']', found ${describe(text[i])}`);
      }
    } else if (c === '"') string();
    else if (c === "t") literal("true");
    else if (c === "f") literal("false");
    else if (c === "n") literal("null");
    else number();
  };
  try {
    value();
    ws();
    if (i < text.length) fail(`unexpected ${describe(text[i])} after the end of the document`);
    return undefined;
  } catch (e) {
    if (e && typeof e === "object" && "offset" in e) return e as { offset: number; reason: string };
    throw e;
  }
}

function describe(c: string | undefined): string {
  return c === undefined ? "end of file" : JSON.stringify(c);
}

/** Parse a policy file's text (JSON for .json, TOML for .toml). */
export async function parsePolicyText(text: string, file: string): Promise<unknown> {
  if (file.endsWith(".toml")) {
    const { parse, TomlError } = await import("smol-toml");
    try {
      return parse(text);
    } catch (err) {
      if (err instanceof TomlError) {
        const reason = err.message.split("\n")[0]!.replace(/^Invalid TOML document: /, "");
        throw new UserError("E_POLICY", `${file}:${err.line}:${err.column}: ${reason}`);
      }
      throw err;
    }
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    // (the scanner that names the line and column runs only for a file that does not parse)
    const problem = findJsonError(text);
    if (!problem) throw err;
    const { line, column } = lineCol(text, problem.offset);
    const comment = text.startsWith("//", problem.offset) || text.startsWith("/*", problem.offset);
    const reason = comment ? "comments are not JSON: use edgebox.toml, which allows them (# comment)" : problem.reason;
    throw new UserError("E_POLICY", `${file}:${line}:${column}: ${reason}`);
  }
}
