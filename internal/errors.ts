// Errors a user can cause (bad flag, missing file, bad policy): printed as one
// line, never with a stack unless EDGEBOX_DEBUG=1. Anything else is a bug.

export type UserErrorCode =
  | "E_USAGE"
  | "E_UNKNOWN_COMMAND"
  | "E_UNKNOWN_FLAG"
  | "E_NOT_FOUND"
  | "E_NO_ENTRY"
  /** a file edgebox would write is already there (edgebox init) */
  | "E_EXISTS"
  /** the engine cannot run the app safely here (e.g. the thread behind the time limit cannot start) */
  | "E_ENGINE"
  | "E_POLICY"
  /** edgebox build could not make the artifact (bundling, parsing, compiling) */
  | "E_BUILD"
  /** an artifact that cannot run here: damaged, or made by another build or for another target */
  | "E_ARTIFACT"
  /** edgebox serve cannot start: the app, the port, the policy */
  | "E_SERVE";

export class UserError extends Error {
  override name = "UserError";
  constructor(
    readonly code: UserErrorCode,
    message: string,
    /** The process exit code: 2 for usage errors, as most CLIs do. */
    readonly exitCode: number = code === "E_USAGE" || code === "E_UNKNOWN_COMMAND" || code === "E_UNKNOWN_FLAG" ? 2 : 1,
  ) {
    super(message);
  }
}
