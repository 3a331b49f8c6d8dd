// How a failed run reads on stderr: like node for uncaught errors (the source
// line and a caret above the error's stack), one plain line for a trap.

const frameRe = /^\s+at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/;

/** Prefix `text` (the guest's rendering of the error) with the source line it points at, when we have that source. */
export function formatUncaught(text: string, sourceOf: (file: string) => string | undefined): string {
  // line by line, and not the app's overlong ones: the pattern backtracks on a crafted line
  const m = text
    .split("\n", 200)
    .filter((l) => l.length <= 2000)
    .map((l) => frameRe.exec(l))
    .find((x) => x !== null);
  if (m) {
    const [, file, line, col] = m;
    const src = sourceOf(file!);
    const lineText = src?.split("\n")[Number(line) - 1];
    if (lineText !== undefined && Number(col) <= lineText.length + 1) {
      const caret = " ".repeat(Math.max(0, Number(col) - 1)) + "^";
      return `${file}:${line}\n${lineText.replace(/\r$/, "")}\n${caret}\n\n${text}\n`;
    }
  }
  return `${text}\n`;
}

/** One line for a guest trap: what happened, in words, then the engine's own message. */
export function describeTrap(message: string): string {
  const m = message.split("\n")[0]!.replace(/^error while executing at wasm backtrace:\s*/, "");
  if (/stack|call depth/i.test(m)) return `the sandboxed code exhausted the stack (wasm trap: ${m})`;
  if (/out of bounds/i.test(m)) return `the sandboxed code crashed (wasm trap: ${m})`;
  if (/unreachable/i.test(m)) return `the sandboxed code aborted (wasm trap: ${m})`;
  return `the sandboxed code trapped (${m})`;
}
