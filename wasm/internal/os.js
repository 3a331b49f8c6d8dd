// node:os. What the sandbox tells about the machine: the platform, the
// architecture and counts the host passes in at start; nothing that names
// the host (its hostname and users are not the guest's business).

import { process } from "./process.js";
import { notSupported } from "./errors.js";

let info = { cpus: 1, totalmem: 0, freemem: 0, release: "", machine: "", endianness: "LE", uptime: 0 };

export function bindOs(o) {
  info = { ...info, ...o };
}

export const EOL = "\n";
export const devNull = "/dev/null";

export function platform() {
  return process.platform;
}
export function arch() {
  return process.arch;
}
export function type() {
  return process.platform === "darwin" ? "Darwin" : process.platform === "win32" ? "Windows_NT" : "Linux";
}
export function release() {
  return info.release;
}
export function version() {
  return info.release;
}
export function machine() {
  return info.machine;
}
export function hostname() {
  return "edgebox";
}
export function homedir() {
  return process.env.HOME ?? "/home/sandbox";
}
export function tmpdir() {
  const t = process.env.TMPDIR ?? process.env.TMP ?? process.env.TEMP ?? "/tmp";
  return t.length > 1 && t.endsWith("/") ? t.slice(0, -1) : t;
}
export function endianness() {
  return info.endianness;
}
export function uptime() {
  return info.uptime;
}
export function totalmem() {
  return info.totalmem;
}
export function freemem() {
  return info.freemem;
}
export function availableParallelism() {
  return info.cpus;
}
export function cpus() {
  return Array.from({ length: info.cpus }, () => ({ model: "edgebox virtual cpu", speed: 0, times: { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 } }));
}
export function loadavg() {
  return [0, 0, 0];
}
export function networkInterfaces() {
  return {};
}
export function userInfo() {
  return { uid: process.getuid(), gid: process.getgid(), username: process.env.USER ?? "sandbox", homedir: homedir(), shell: null };
}
export function getPriority() {
  return 0;
}
export function setPriority() {
  throw notSupported("os.setPriority");
}

export const constants = {
  signals: { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9, SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15, SIGCHLD: 17, SIGCONT: 18, SIGSTOP: 19, SIGTSTP: 20, SIGTTIN: 21, SIGTTOU: 22, SIGURG: 23, SIGXCPU: 24, SIGXFSZ: 25, SIGVTALRM: 26, SIGPROF: 27, SIGWINCH: 28, SIGIO: 29, SIGPWR: 30, SIGSYS: 31 },
  errno: { E2BIG: 7, EACCES: 13, EADDRINUSE: 98, EAGAIN: 11, EBADF: 9, EEXIST: 17, EINVAL: 22, EISDIR: 21, ELOOP: 40, EMFILE: 24, ENOENT: 2, ENOSPC: 28, ENOTDIR: 20, ENOTEMPTY: 39, EPERM: 1, EPIPE: 32, EXDEV: 18 },
  priority: { PRIORITY_LOW: 19, PRIORITY_BELOW_NORMAL: 10, PRIORITY_NORMAL: 0, PRIORITY_ABOVE_NORMAL: -7, PRIORITY_HIGH: -14, PRIORITY_HIGHEST: -20 },
  UV_UDP_REUSEADDR: 4,
  dlopen: {},
};
