// node:events: the npm `events` package (node's EventEmitter, ES5-callable as
// packages expect: `EventEmitter.call(this)`, util.inherits).

import EventEmitter from "events/events.js";

export { EventEmitter };
