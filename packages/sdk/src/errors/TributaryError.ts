/**
 * The one error class of every package lives in `@tributary/core` (pure, the lowest layer); the SDK re-exports
 * it so an app catches SDK, node and core errors the same way: `TributaryError.is(e)`, `e.code`, `e.hint`.
 */
export { TributaryError, type TributaryErrorParameters } from "@tributary/core/errors";
