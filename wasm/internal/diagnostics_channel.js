// node:diagnostics_channel: named publish/subscribe channels, in process.

const channels = new Map();

export class Channel {
  constructor(name) {
    this.name = name;
    this._subscribers = [];
  }
  get hasSubscribers() {
    return this._subscribers.length > 0;
  }
  subscribe(fn) {
    this._subscribers.push(fn);
  }
  unsubscribe(fn) {
    const i = this._subscribers.indexOf(fn);
    if (i === -1) return false;
    this._subscribers.splice(i, 1);
    return true;
  }
  publish(message) {
    for (const fn of [...this._subscribers]) fn(message, this.name);
  }
  bindStore() {}
  unbindStore() {
    return false;
  }
  runStores(data, fn, thisArg, ...args) {
    this.publish(data);
    return fn.apply(thisArg, args);
  }
}

export function channel(name) {
  let c = channels.get(name);
  if (!c) channels.set(name, (c = new Channel(name)));
  return c;
}

export function hasSubscribers(name) {
  return channels.get(name)?.hasSubscribers ?? false;
}

export function subscribe(name, fn) {
  channel(name).subscribe(fn);
}

export function unsubscribe(name, fn) {
  return channel(name).unsubscribe(fn);
}

export function tracingChannel(nameOrChannels) {
  const names = ["start", "end", "asyncStart", "asyncEnd", "error"];
  const c = Object.fromEntries(names.map((n) => [n, typeof nameOrChannels === "string" ? channel(`tracing:${nameOrChannels}:${n}`) : nameOrChannels[n]]));
  return {
    ...c,
    get hasSubscribers() {
      return names.some((n) => c[n].hasSubscribers);
    },
    subscribe(handlers) {
      for (const n of names) if (handlers[n]) c[n].subscribe(handlers[n]);
    },
    unsubscribe(handlers) {
      let ok = true;
      for (const n of names) if (handlers[n]) ok = c[n].unsubscribe(handlers[n]) && ok;
      return ok;
    },
    traceSync(fn, context = {}, thisArg, ...args) {
      c.start.publish(context);
      try {
        const result = fn.apply(thisArg, args);
        context.result = result;
        return result;
      } catch (err) {
        context.error = err;
        c.error.publish(context);
        throw err;
      } finally {
        c.end.publish(context);
      }
    },
    tracePromise(fn, context = {}, thisArg, ...args) {
      c.start.publish(context);
      try {
        const p = fn.apply(thisArg, args);
        return Promise.resolve(p).then(
          (result) => {
            context.result = result;
            c.asyncStart.publish(context);
            c.asyncEnd.publish(context);
            return result;
          },
          (err) => {
            context.error = err;
            c.error.publish(context);
            c.asyncStart.publish(context);
            c.asyncEnd.publish(context);
            throw err;
          },
        );
      } finally {
        c.end.publish(context);
      }
    },
  };
}
