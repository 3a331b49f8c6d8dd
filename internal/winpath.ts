// Paths on Windows as the guest and the policy see them: POSIX-style, the
// drive as the first component, in lower case (`C:\Users\me\app` is
// `/c/Users/me/app`, as Git Bash writes it; `/` holds the drives). The guest's
// path module, the policy and the resolver stay POSIX; the host turns a path
// into Windows' form only where it touches the OS (hostPath). Anything else
// Windows would read as a path (UNC, `\\?\` and `\\.\` device paths, a
// drive-relative `C:foo`, an alternate data stream `f:s`, a reserved device
// name, a trailing dot or space) has no guest form: refused. Elsewhere every
// function here is the identity.

export const onWindows = process.platform === "win32";

/** A Windows path (`C:\x`, `C:/x`) in the guest's form (`/c/x`); a guest path is returned as it is. */
export function guestPath(p: string): string {
  if (!onWindows) return p;
  // (`\\?\C:\x`, as Windows' own real-path calls may answer, is `C:\x`)
  const m = /^([A-Za-z]):([\\/].*)?$/.exec(p.replace(/^\\\\\?\\(?=[A-Za-z]:)/, ""));
  if (!m) return p.replaceAll("\\", "/");
  const rest = (m[2] ?? "").replaceAll("\\", "/").replace(/\/+$/, "");
  return `/${m[1]!.toLowerCase()}${rest}`;
}

/**
 * The Windows path of a guest path (`/c/x` is `C:\x`); undefined for `/` and
 * for a first component that names no drive. A Windows path is returned as it is.
 */
export function hostPath(p: string): string;
export function hostPath(p: string, orUndefined: true): string | undefined;
export function hostPath(p: string, _orUndefined?: true): string | undefined {
  if (!onWindows || !p.startsWith("/")) return p;
  const m = /^\/([A-Za-z])(\/.*)?$/.exec(p);
  if (!m) return _orUndefined ? undefined : p;
  return `${m[1]!.toUpperCase()}:${(m[2] ?? "/").replaceAll("/", "\\")}`;
}

const DEVICE = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])$/i;

/** Why Windows would not read the name `part` as the file it names; undefined when it would. */
function badWindowsName(part: string): string | undefined {
  if (part === "." || part === "..") return undefined;
  if (part.includes(":")) return "names an alternate data stream (a name with ':')";
  if (/[<>"|?*\x00-\x1f]/.test(part)) return "has a character Windows does not allow in a name";
  if (/[. ]$/.test(part)) return "ends in a dot or a space (Windows would open another name)";
  if (DEVICE.test(part.split(".")[0]!.replace(/ +$/, ""))) return "is a reserved device name (NUL, CON, PRN, AUX, COM1-9, LPT1-9)";
  return undefined;
}

/**
 * A path the guest named, in the guest's form; `refused` says why it has none.
 * Windows' own forms are taken as node on Windows takes them (`C:\x`, `C:/x`, `\` as a separator).
 */
export function guestInput(p: string): { path: string } | { refused: string } {
  if (!onWindows) return { path: p };
  if (/^[\\/]{2}[?.][\\/]/.test(p)) return { refused: "is a Windows device or verbatim path (\\\\?\\, \\\\.\\)" };
  if (/^[\\/]{2}/.test(p)) return { refused: "is a UNC (network) path" };
  if (/^[A-Za-z]:(?![\\/])/.test(p)) return { refused: "is drive-relative (a drive letter without a separator after it)" };
  const path = guestPath(p);
  for (const part of path.split("/")) {
    const why = badWindowsName(part);
    if (why) return { refused: `${JSON.stringify(part)} ${why}` };
  }
  return { path };
}

/** A module specifier as node on Windows reads it: `C:\x\y.js` is absolute, `.\y.js` relative (then in the guest's form). */
export function guestSpecifier(spec: string): string {
  if (!onWindows) return spec;
  if (/^[A-Za-z]:[\\/]/.test(spec)) return guestPath(spec);
  return /^\.{1,2}\\/.test(spec) ? spec.replaceAll("\\", "/") : spec;
}
