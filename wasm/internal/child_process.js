// node:child_process inside the sandbox. The host resolves each command,
// checks it against the policy (and runs it confined); a refused command
// throws ERR_ACCESS_DENIED at the call. No shell is involved unless the
// caller asks for one (shell: true, exec, execSync): then /bin/sh must be
// granted itself.

import { OP } from "../abi.js";
import { onDelivery } from "./async.js";
import { Buffer } from "./buffer.js";
import { ERR_INVALID_ARG_TYPE, notSupported } from "./errors.js";
import { EventEmitter } from "./events.js";
import { host } from "./host.js";
import { process } from "./process.js";
import { Readable, Writable } from "./stream.js";
import { utf8Decode } from "./utf8.js";

function normalize(file, args, options) {
  if (typeof file !== "string" || file === "") throw new ERR_INVALID_ARG_TYPE("file", "of type string", file);
  if (args !== undefined && !Array.isArray(args) && typeof args === "object") {
    options = args;
    args = [];
  }
  args = args === undefined || args === null ? [] : Array.from(args, String);
  options = { ...options };
  if (options.shell) {
    const shell = typeof options.shell === "string" ? options.shell : "/bin/sh";
    args = ["-c", [file, ...args].join(" ")];
    file = shell;
  }
  const env = options.env ?? process.env;
  return { file, args, options, env };
}

function request(n) {
  return {
    command: n.file,
    args: n.args,
    cwd: n.options.cwd,
    env: Object.fromEntries(Object.entries(n.env).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)])),
    timeout: n.options.timeout,
    maxBuffer: n.options.maxBuffer,
    killSignal: n.options.killSignal,
  };
}

function stdioModes(options) {
  const s = options.stdio;
  const arr = typeof s === "string" ? [s, s, s] : Array.isArray(s) ? s : ["pipe", "pipe", "pipe"];
  return arr.map((m) => (m === null || m === undefined ? "pipe" : m));
}

function inputBytes(input) {
  if (input === undefined || input === null) return undefined;
  if (typeof input === "string") return Buffer.from(input);
  if (input instanceof Uint8Array) return input;
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  throw new ERR_INVALID_ARG_TYPE("options.input", "of type string or an instance of Buffer, TypedArray, or DataView", input);
}

function decodeOut(bytes, encoding) {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return encoding && encoding !== "buffer" ? b.toString(encoding) : b;
}

function spawnError(code, syscall, path, args) {
  const err = new Error(`${syscall} ${path} ${code}`);
  err.errno = code === "ENOENT" ? -2 : code === "ETIMEDOUT" ? -110 : code === "ENOBUFS" ? -105 : undefined;
  err.code = code;
  err.syscall = `${syscall} ${path}`;
  err.path = path;
  err.spawnargs = args;
  return err;
}

export function spawnSync(file, args, options) {
  const n = normalize(file, args, options);
  const modes = stdioModes(n.options);
  let reply;
  try {
    reply = host(OP.CHILD_SPAWN_SYNC, JSON.stringify(request(n)), inputBytes(n.options.input));
  } catch (e) {
    if (e.code === "ENOENT") {
      return { pid: 0, output: null, stdout: null, stderr: null, status: null, signal: null, error: spawnError("ENOENT", "spawnSync", n.file, n.args) };
    }
    throw e;
  }
  const view = new DataView(reply.buffer, reply.byteOffset, reply.byteLength);
  const headLen = view.getUint32(0, true);
  const head = JSON.parse(utf8Decode(reply, 4, 4 + headLen));
  const outStart = 4 + headLen;
  const stdoutBytes = reply.subarray(outStart, outStart + head.stdout);
  const stderrBytes = reply.subarray(outStart + head.stdout, outStart + head.stdout + head.stderr);
  if (modes[1] === "inherit") process.stdout.write(stdoutBytes);
  if (modes[2] === "inherit") process.stderr.write(stderrBytes);
  const enc = n.options.encoding;
  const stdout = modes[1] === "pipe" ? decodeOut(stdoutBytes, enc) : null;
  const stderr = modes[2] === "pipe" ? decodeOut(stderrBytes, enc) : null;
  const result = { pid: head.pid, output: [null, stdout, stderr], stdout, stderr, status: head.status, signal: head.signal };
  if (head.error) result.error = spawnError(head.error, "spawnSync", n.file, n.args);
  return result;
}

function checkResult(r, n, command) {
  if (r.error) {
    r.error.status = r.status;
    r.error.signal = r.signal;
    r.error.stdout = r.stdout;
    r.error.stderr = r.stderr;
    r.error.output = r.output;
    r.error.pid = r.pid;
    throw r.error;
  }
  if (r.status !== 0) {
    const stderrText = r.stderr ? r.stderr.toString() : "";
    const err = new Error(`Command failed: ${command}${stderrText ? "\n" + stderrText : ""}`);
    err.status = r.status;
    err.signal = r.signal;
    err.output = r.output;
    err.pid = r.pid;
    err.stdout = r.stdout;
    err.stderr = r.stderr;
    throw err;
  }
  void n;
}

export function execFileSync(file, args, options) {
  const n = normalize(file, args, options);
  const stdio = n.options.stdio ?? ["pipe", "pipe", "inherit"];
  const r = spawnSync(n.file, n.args, { ...n.options, shell: false, stdio });
  checkResult(r, n, [file, ...(Array.isArray(args) ? args : [])].join(" "));
  return r.stdout;
}

export function execSync(command, options) {
  const opts = { ...options, shell: options?.shell ?? true, stdio: options?.stdio ?? ["pipe", "pipe", "inherit"] };
  const r = spawnSync(command, [], opts);
  checkResult(r, null, command);
  return r.stdout;
}

export class ChildProcess extends EventEmitter {
  constructor() {
    super();
    this.pid = undefined;
    this.exitCode = null;
    this.signalCode = null;
    this.killed = false;
    this.connected = false;
    this.stdin = null;
    this.stdout = null;
    this.stderr = null;
    this.stdio = [null, null, null];
    this.spawnfile = "";
    this.spawnargs = [];
    this._id = 0;
  }

  kill(signal = "SIGTERM") {
    if (!this._id || this.exitCode !== null || this.signalCode !== null) return false;
    const ok = host(OP.CHILD_KILL, JSON.stringify({ id: this._id, signal })) === 1;
    if (ok) this.killed = true;
    return ok;
  }

  ref() {
    return this;
  }

  unref() {
    return this;
  }

  disconnect() {}
}

export function spawn(file, args, options) {
  const n = normalize(file, args, options);
  const modes = stdioModes(n.options);
  const child = new ChildProcess();
  child.spawnfile = n.file;
  child.spawnargs = [n.file, ...n.args];
  let started;
  try {
    started = JSON.parse(host(OP.CHILD_SPAWN, JSON.stringify(request(n))));
  } catch (e) {
    if (e.code !== "ENOENT") throw e;
    process.nextTick(() => {
      child.emit("error", spawnError("ENOENT", "spawn", n.file, n.args));
      child.emit("close", -2, null);
    });
    return child;
  }
  child._id = started.id;
  child.pid = started.pid;
  const id = started.id;
  const out = modes[1] === "pipe" ? new Readable({ read() {} }) : null;
  const err = modes[2] === "pipe" ? new Readable({ read() {} }) : null;
  if (modes[0] === "pipe") {
    child.stdin = new Writable({
      // a refused write or close is the stream's error (as node's), not an exception thrown into its machinery
      write(chunk, _enc, cb) {
        try {
          host(OP.CHILD_WRITE, JSON.stringify({ id }), chunk);
        } catch (e) {
          return cb(e);
        }
        cb();
      },
      final(cb) {
        try {
          host(OP.CHILD_CLOSE_STDIN, JSON.stringify({ id }));
        } catch (e) {
          return cb(e);
        }
        cb();
      },
    });
  } else {
    host(OP.CHILD_CLOSE_STDIN, JSON.stringify({ id }));
  }
  child.stdout = out;
  child.stderr = err;
  child.stdio = [child.stdin, out, err];
  let streamsOpen = [out, err].filter(Boolean).length;
  let exited = false;
  const maybeClose = () => {
    if (exited && streamsOpen === 0) child.emit("close", child.exitCode, child.signalCode);
  };
  for (const s of [out, err]) if (s) s.on("end", () => (streamsOpen--, maybeClose()));
  // options.timeout, as node: the child gets killSignal once it has run that long
  const timeout = Number(n.options.timeout);
  const timer = timeout > 0 ? setTimeout(() => child.kill(n.options.killSignal ?? "SIGTERM"), timeout) : undefined;
  onDelivery(id, (kind, str, bytes) => {
    if (kind === "stdout") {
      if (out) out.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      else if (modes[1] === "inherit") process.stdout.write(bytes);
    } else if (kind === "stderr") {
      if (err) err.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      else if (modes[2] === "inherit") process.stderr.write(bytes);
    } else if (kind === "exit") {
      const { code, signal } = JSON.parse(str);
      clearTimeout(timer);
      child.exitCode = code;
      child.signalCode = signal;
      exited = true;
      out?.push(null);
      err?.push(null);
      child.emit("exit", code, signal);
      // (as node: an output nobody listens to is drained, so that "close" comes)
      process.nextTick(() => {
        for (const s of [out, err]) if (s && !s._readableState.readableListening) s.resume();
      });
      maybeClose();
    }
  });
  process.nextTick(() => child.emit("spawn"));
  return child;
}

export function execFile(file, args, options, callback) {
  if (typeof args === "function") {
    callback = args;
    args = [];
    options = {};
  } else if (typeof options === "function") {
    callback = options;
    if (!Array.isArray(args)) {
      options = args;
      args = [];
    } else options = {};
  }
  return collect(spawn(file, args, options), options, [file, ...(args ?? [])].join(" "), callback);
}

export function exec(command, options, callback) {
  if (typeof options === "function") {
    callback = options;
    options = {};
  }
  return collect(spawn(command, [], { ...options, shell: options?.shell ?? true }), options, command, callback);
}

function collect(child, options, command, callback) {
  const enc = options?.encoding ?? "utf8";
  const out = [];
  const errOut = [];
  let failed = null;
  // options.maxBuffer, as node: past it on either output, the child is killed and the output cut there
  const maxBuffer = options?.maxBuffer ?? 1024 * 1024;
  const sizes = { stdout: 0, stderr: 0 };
  const keep = (name, chunks) => (c) => {
    if (sizes[name] > maxBuffer) return;
    sizes[name] += c.length;
    chunks.push(sizes[name] > maxBuffer ? c.subarray(0, c.length - (sizes[name] - maxBuffer)) : c);
    if (sizes[name] <= maxBuffer || failed) return;
    failed = new RangeError(`${name} maxBuffer length exceeded`);
    failed.code = "ERR_CHILD_PROCESS_STDIO_MAXBUFFER";
    child.kill(options?.killSignal ?? "SIGTERM");
  };
  child.stdout?.on("data", keep("stdout", out));
  child.stderr?.on("data", keep("stderr", errOut));
  child.on("error", (e) => {
    failed = e;
  });
  child.on("close", (code, signal) => {
    const stdout = enc === "buffer" ? Buffer.concat(out) : Buffer.concat(out).toString(enc);
    const stderr = enc === "buffer" ? Buffer.concat(errOut) : Buffer.concat(errOut).toString(enc);
    let error = failed;
    if (!error && (code !== 0 || signal)) {
      error = new Error(`Command failed: ${command}\n${stderr}`);
      error.code = code;
      error.killed = child.killed;
      error.signal = signal;
      error.cmd = command;
    }
    if (typeof callback === "function") callback(error, stdout, stderr);
  });
  return child;
}

function notInSandbox(name) {
  return () => {
    throw notSupported(`child_process.${name}`);
  };
}

export const fork = notInSandbox("fork");
