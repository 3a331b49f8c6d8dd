#!/usr/bin/env bun
// The `edgebox` executable's entry: the CLI itself is cmd/edgebox.ts (import-safe, so tests drive it in-process).

import { runMain } from "./edgebox.ts";

runMain(process.argv.slice(2)).then((code) => process.exit(code));
